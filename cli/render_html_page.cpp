#include "cli/render_html_page.hpp"

#include <fmt/format.h>

namespace asyncdemo {

namespace {

// The look of the page around the chart: the SVG's font and greys, readable at 1280 px.
constexpr std::string_view kStyle = R"css(
body { margin: 24px; font: 13px "DejaVu Sans Mono", Menlo, Consolas, monospace; color: #212529;
  background: #ffffff; }
h1 { font-size: 18px; margin: 0 0 6px 0; }
p { margin: 0 0 4px 0; }
.lesson { color: #333333; max-width: 150ch; }
.params { color: #666666; }
.toolbar { margin: 12px 0 6px 0; display: flex; gap: 6px; align-items: center; }
.toolbar button { font: inherit; min-width: 28px; padding: 2px 8px; border: 1px solid #adb5bd;
  border-radius: 4px; background: #f8f9fa; cursor: pointer; }
.toolbar button:hover { background: #e9ecef; }
.toolbar .hint { color: #868e96; margin-left: 8px; }
#chart { position: relative; }
#timeline { display: block; width: 100%; cursor: grab; }
#timeline.dragging { cursor: grabbing; }
#tooltip { position: absolute; pointer-events: none; background: #212529; color: #f8f9fa;
  padding: 6px 8px; border-radius: 4px; white-space: pre; max-width: 60ch; overflow: hidden;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.3); z-index: 1; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 10px 0; }
#legend .item { display: flex; align-items: center; gap: 6px; }
#legend canvas { display: block; }
#report { margin: 12px 0 0 0; font: inherit; }
#report .fail { color: #c92a2a; }
)css";

constexpr std::string_view kChart = R"html(<div class="toolbar">
<button id="zoom-out" title="zoom out">&minus;</button><button id="zoom-in" title="zoom in">+</button><button id="reset" title="the whole run">reset</button>
<span class="hint">wheel: zoom at the pointer &middot; drag: pan &middot; hover: a span's state and times</span>
</div>
<div id="chart"><canvas id="timeline" width="1232" height="100"></canvas><div id="tooltip" hidden></div></div>
<div id="legend"></div>
)html";

// Draws the embedded data; every size in CSS pixels, scaled for the screen's pixel ratio. When
// it has drawn, it says so on <body> (data-ready="lanes:N", N the task lanes drawn): the page's
// test reads that from the DOM.
constexpr std::string_view kScript = R"js(<script>
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('asyncdemo-data').textContent);
  const canvas = document.getElementById('timeline');
  const tooltip = document.getElementById('tooltip');
  const context = canvas.getContext('2d');
  const font = '13px "DejaVu Sans Mono", Menlo, Consolas, monospace';
  const small = '10px "DejaVu Sans Mono", Menlo, Consolas, monospace';
  const laneHeight = 22, barHeight = 14, axisHeight = 24, densityHeight = 44, rightRoom = 16;
  const maxNameChars = 24, noteColour = '#343a40', guideColour = '#343a40';
  const total = Math.max(data.end, 1), shortestView = Math.min(1000, total);
  let view = { from: 0, to: total };
  let chartX = 0, chartWidth = 1;

  // The rows top to bottom: a lane per shown task, "... N more tasks", then the density row.
  const rows = [];
  let bottom = axisHeight;
  for (const lane of data.lanes) {
    rows.push({ lane: lane, top: bottom, height: laneHeight });
    bottom += laneHeight;
  }
  if (data.alive) {
    rows.push({ alive: data.alive, top: bottom, height: densityHeight });
    bottom += densityHeight;
  }
  const height = bottom + 6;

  function fitName(name) {
    const points = Array.from(name);
    return points.length <= maxNameChars ? name : points.slice(0, maxNameChars - 1).join('') + '~';
  }

  function seconds(t) { return (t / 1e9).toFixed(3) + ' s'; }

  function xOf(t) { return chartX + (t - view.from) / (view.to - view.from) * chartWidth; }
  function timeAt(x) { return view.from + (x - chartX) / chartWidth * (view.to - view.from); }

  // The smallest 1-2-5 step giving at most 12 ticks over the view.
  function tickStep(span) {
    let step = 1;
    for (;;) {
      for (const k of [1, 2, 5]) {
        if (span / (step * k) <= 12) { return step * k; }
      }
      step *= 10;
    }
  }

  // As the terminal and the SVG label ticks (cli/render_ticks.cpp): every label in the one unit
  // the step reads best in, six significant digits at most (0s 0.2s 0.4s, not 0ms 200ms).
  function tickLabel(t, step) {
    const units = [[1e9, 's'], [1e6, 'ms'], [1e3, 'us']];
    const found = units.find(([size]) => step * 10 >= size);
    if (!found) { return t + 'ns'; }
    return String(Number((t / found[0]).toPrecision(6))) + found[1];
  }

  function layout() {
    context.font = font;
    let widest = context.measureText('alive').width;
    for (const lane of data.lanes) {
      if (lane.name !== undefined) {
        widest = Math.max(widest, context.measureText(fitName(lane.name)).width);
      }
    }
    const width = canvas.parentElement.clientWidth || 1232;
    chartX = Math.ceil(widest) + 16;
    chartWidth = Math.max(width - chartX - rightRoom, 50);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.height = height + 'px';
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  function drawAxis() {
    const step = tickStep(view.to - view.from);
    context.font = font;
    context.textAlign = 'center';
    context.fillStyle = '#555555';
    for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
      const x = Math.round(xOf(t)) + 0.5;
      context.strokeStyle = '#e3e3e3';
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(x, axisHeight - 4);
      context.lineTo(x, bottom);
      context.stroke();
      context.fillText(tickLabel(t, step), x, axisHeight - 8);
    }
    context.textAlign = 'left';
  }

  function drawCross(x, middle, colour) {
    context.strokeStyle = colour;
    context.lineWidth = 2.5;
    context.beginPath();
    context.moveTo(x - 5, middle - 5);
    context.lineTo(x + 5, middle + 5);
    context.moveTo(x - 5, middle + 5);
    context.lineTo(x + 5, middle - 5);
    context.stroke();
  }

  function drawNote(x, top) {
    context.fillStyle = noteColour;
    context.beginPath();
    context.moveTo(x, top);
    context.lineTo(x - 4, top - 6);
    context.lineTo(x + 4, top - 6);
    context.closePath();
    context.fill();
  }

  function inChart(x) { return x >= chartX - 6 && x <= chartX + chartWidth + 6; }

  function drawLane(lane, top) {
    const barTop = top + (laneHeight - barHeight) / 2;
    context.font = font;
    context.fillStyle = '#212529';
    context.fillText(fitName(lane.name), 0, barTop + barHeight - 3);
    context.save();
    context.beginPath();
    context.rect(chartX, top, chartWidth, laneHeight);
    context.clip();
    const spans = lane.spans;
    for (let i = 0; i < spans.length; i += 4) {
      const from = xOf(spans[i + 2]), to = xOf(spans[i + 3]);
      if (to < chartX || from > chartX + chartWidth) { continue; }
      context.fillStyle = data.looks[spans[i]][0];
      context.fillRect(from, barTop, Math.max(to - from, 1), barHeight);
    }
    context.restore();
    if (lane.mark >= 0 && inChart(xOf(lane.end))) {
      drawCross(xOf(lane.end), barTop + barHeight / 2, data.marks[lane.mark][0]);
    }
    for (const [t] of lane.notes) {
      if (inChart(xOf(t))) { drawNote(xOf(t), barTop); }
    }
  }

  function drawLeftOut(lane, top) {
    context.font = font;
    context.fillStyle = '#666666';
    context.fillText('... ' + lane.left_out + ' more tasks', 0, top + laneHeight - 6);
  }

  // The alive counts are per column of the whole run; a zoomed view shows the columns in it.
  function drawAlive(alive, top) {
    const base = top + densityHeight - 6, room = densityHeight - 10;
    const columns = alive.counts.length, peak = Math.max(alive.peak, 1);
    context.font = font;
    context.fillStyle = '#212529';
    context.fillText('alive', 0, base - 4);
    context.font = small;
    context.fillStyle = '#666666';
    context.fillText('peak ' + alive.peak, 0, base + 8);
    context.save();
    context.beginPath();
    context.rect(chartX, top, chartWidth, densityHeight);
    context.clip();
    context.fillStyle = '#adb5bd';
    context.beginPath();
    context.moveTo(xOf(0), base);
    for (let c = 0; c < columns; c++) {
      const h = room * alive.counts[c] / peak;
      context.lineTo(xOf(total * c / columns), base - h);
      context.lineTo(xOf(total * (c + 1) / columns), base - h);
    }
    context.lineTo(xOf(total), base);
    context.closePath();
    context.fill();
    context.restore();
  }

  function drawGuides() {
    context.save();
    context.strokeStyle = guideColour;
    context.lineWidth = 1;
    context.setLineDash([4, 3]);
    for (const [t] of data.guides) {
      const x = Math.round(xOf(t)) + 0.5;
      if (!inChart(x)) { continue; }
      context.beginPath();
      context.moveTo(x, axisHeight - 4);
      context.lineTo(x, bottom);
      context.stroke();
    }
    context.restore();
  }

  let lanesDrawn = 0;
  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawAxis();
    lanesDrawn = 0;
    rows.forEach((row, index) => {
      if (index % 2 === 1 && !row.alive) {
        context.fillStyle = '#f8f9fa';
        context.fillRect(chartX, row.top, chartWidth, row.height);
      }
    });
    for (const row of rows) {
      if (row.alive) {
        drawAlive(row.alive, row.top);
      } else if (row.lane.left_out !== undefined) {
        drawLeftOut(row.lane, row.top);
      } else {
        drawLane(row.lane, row.top);
        lanesDrawn++;
      }
    }
    drawGuides();
  }

  function swatch(draw) {
    const item = document.createElement('canvas');
    const ratio = window.devicePixelRatio || 1;
    item.width = 16 * ratio;
    item.height = 14 * ratio;
    item.style.width = '16px';
    item.style.height = '14px';
    const c = item.getContext('2d');
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw(c);
    return item;
  }

  // Only what the chart drew, in the words of the other pictures.
  function legend() {
    const box = document.getElementById('legend');
    const add = (picture, words) => {
      const item = document.createElement('span');
      item.className = 'item';
      item.appendChild(picture);
      item.appendChild(document.createTextNode(words));
      box.appendChild(item);
    };
    for (const index of data.used.looks) {
      const [fill, meaning] = data.looks[index];
      add(swatch(c => { c.fillStyle = fill; c.fillRect(1, 1, 14, 12); }), meaning);
    }
    data.used.marks.forEach((used, index) => {
      if (!used) { return; }
      const [fill, meaning] = data.marks[index];
      add(swatch(c => {
        c.strokeStyle = fill; c.lineWidth = 2.5; c.beginPath();
        c.moveTo(3, 2); c.lineTo(13, 12); c.moveTo(3, 12); c.lineTo(13, 2); c.stroke();
      }), meaning);
    });
    if (data.used.notes) {
      add(swatch(c => {
        c.fillStyle = noteColour; c.beginPath();
        c.moveTo(8, 11); c.lineTo(3, 3); c.lineTo(13, 3); c.closePath(); c.fill();
      }), 'a note of the scenario (hover)');
    }
  }

  function rowAt(y) { return rows.find(row => y >= row.top && y < row.top + row.height); }

  function nearNotes(notes, x) {
    return notes.filter(([t]) => Math.abs(xOf(t) - x) <= 6)
      .map(([t, text]) => text + ' at ' + seconds(t));
  }

  function spanText(lane, x) {
    const spans = lane.spans, t = timeAt(x), slack = (view.to - view.from) / chartWidth * 2;
    for (let i = 0; i < spans.length; i += 4) {
      if (t >= spans[i + 2] - slack && t <= spans[i + 3] + slack) {
        const wait = data.waits[spans[i + 1]];
        const state = data.looks[spans[i]][1] +
          (wait && wait !== 'none' && wait !== 'blocked' ? ' (' + wait + ')' : '');
        return [state, seconds(spans[i + 2]) + ' to ' + seconds(spans[i + 3]) +
          ' (' + seconds(spans[i + 3] - spans[i + 2]) + ')'];
      }
    }
    return [];
  }

  function tooltipLines(row, x) {
    if (x < chartX || !row) { return []; }
    const guides = nearNotes(data.guides, x);
    if (row.alive) {
      const column = Math.floor(timeAt(x) / total * row.alive.counts.length);
      const count = row.alive.counts[column];
      return count === undefined ? guides :
        ['tasks alive: ' + count + ' (at most ' + row.alive.peak + ' at once)'].concat(guides);
    }
    if (row.lane.left_out !== undefined) { return guides; }
    const lines = spanText(row.lane, x);
    const notes = nearNotes(row.lane.notes, x);
    if (row.lane.mark >= 0 && Math.abs(xOf(row.lane.end) - x) <= 6) {
      notes.push(data.marks[row.lane.mark][1] + ' at ' + seconds(row.lane.end));
    }
    const all = lines.concat(notes, guides.filter(g => !notes.includes(g)));
    return all.length === 0 ? [] : [row.lane.name].concat(all);
  }

  function showTooltip(event) {
    const bounds = canvas.getBoundingClientRect();
    const x = event.clientX - bounds.left, y = event.clientY - bounds.top;
    const lines = tooltipLines(rowAt(y), x);
    if (lines.length === 0) { tooltip.hidden = true; return; }
    tooltip.textContent = lines.join('\n');
    tooltip.hidden = false;
    const left = Math.min(x + 14, bounds.width - tooltip.offsetWidth - 4);
    tooltip.style.left = Math.max(left, 0) + 'px';
    tooltip.style.top = (y + 18) + 'px';
  }

  function setView(from, to) {
    let span = Math.min(Math.max(to - from, shortestView), total);
    from = Math.min(Math.max(from, 0), total - span);
    view = { from: from, to: from + span };
    draw();
  }

  function zoom(factor, x) {
    const t = timeAt(x);
    setView(t - (t - view.from) * factor, t + (view.to - t) * factor);
  }

  canvas.addEventListener('wheel', event => {
    const x = event.clientX - canvas.getBoundingClientRect().left;
    if (x < chartX) { return; }
    event.preventDefault();
    zoom(Math.exp(event.deltaY * 0.002), x);
    showTooltip(event);
  }, { passive: false });

  let drag = null;
  canvas.addEventListener('mousedown', event => {
    drag = { x: event.clientX, view: view };
    canvas.classList.add('dragging');
  });
  window.addEventListener('mouseup', () => {
    drag = null;
    canvas.classList.remove('dragging');
  });
  window.addEventListener('mousemove', event => {
    if (!drag) { return; }
    const shift = (drag.x - event.clientX) / chartWidth * (drag.view.to - drag.view.from);
    setView(drag.view.from + shift, drag.view.to + shift);
  });
  canvas.addEventListener('mousemove', showTooltip);
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  document.getElementById('zoom-in').addEventListener('click', () => zoom(1 / 1.5, chartX + chartWidth / 2));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(1.5, chartX + chartWidth / 2));
  document.getElementById('reset').addEventListener('click', () => setView(0, total));
  window.addEventListener('resize', () => { layout(); draw(); });

  layout();
  draw();
  legend();
  document.body.dataset.ready = 'lanes:' + lanesDrawn;
})();
</script>
</body>
</html>
)js";

}  // namespace

std::string html_page_head(std::string_view escaped_title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
      escaped_title, kStyle);
}

std::string_view html_page_chart() { return kChart; }

std::string_view html_page_script() { return kScript; }

}  // namespace asyncdemo
