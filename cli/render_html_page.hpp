#pragma once
// The fixed parts of the --html page (cli/render_html.cpp): its style, the chart's elements and
// the script that draws the embedded data. All inline: the page opens from disk, offline.

#include <string>
#include <string_view>

namespace asyncdemo {

/// The embedded data stands between these two, as one JSON document; the page's script and the
/// tests read it from there.
inline constexpr std::string_view kHtmlDataStart =
    R"(<script type="application/json" id="asyncdemo-data">)";
inline constexpr std::string_view kHtmlDataEnd = "</script>\n";

/// From the doctype to the opening <body>, with `escaped_title` (already HTML text) as <title>.
std::string html_page_head(std::string_view escaped_title);
/// The toolbar, the canvas, its tooltip and the legend's place.
std::string_view html_page_chart();
/// The script that draws the chart from the data, then the end of the page.
std::string_view html_page_script();

}  // namespace asyncdemo
