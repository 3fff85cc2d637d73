#pragma once
// Faulting memory in ahead of use. A million tasks write a few hundred MB
// of fresh memory; one madvise(MADV_POPULATE_WRITE) per 2 MiB costs less in
// this VM than a page fault per 4 KiB page (frame chunks and the timeline's
// events both measured 20-35 ms less at gather --n 1000000).

namespace asyncdemo::detail {

/// Faults in the whole pages inside [from, to). Advice only: where the
/// kernel lacks it (before Linux 5.14) or cannot do it now (ENOMEM), the
/// pages fault on first use as before, so there is no error to report.
void populate_pages(const void* from, const void* to) noexcept;

}  // namespace asyncdemo::detail
