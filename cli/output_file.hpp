#pragma once
// OutputFile: one file that asyncdemo writes on request (--trace FILE, and
// every file output to come), written the safe way. The contents go to a new
// temporary file beside the target (".NAME.PID-K.tmp", in the same directory,
// so that the rename cannot cross file systems), which is flushed to disk and
// renamed over the target only once complete. So a run that is refused,
// fails, runs out of disk or is interrupted leaves the old file as it was and
// no temporary behind; readers never see a half-written file.
//
// A target that exists and is not a regular file (/dev/null, /dev/stdout, a
// FIFO) cannot be replaced: it is written in place. A symbolic link is
// followed: the file it names is replaced, the link stays.

#include <string>
#include <string_view>

namespace asyncdemo {

class OutputFile {
 public:
  /// Checks, before anything runs, that `path` can be written for `option`
  /// ("--trace"), by making and removing a temporary beside it. Throws
  /// UsageError when the user must change the path (empty, "-", a directory,
  /// a missing directory, no permission) and std::system_error when the
  /// process has no descriptor to spare (EMFILE, ENFILE: not the path's fault).
  static void check(std::string_view option, const std::string& path);

  /// Opens where the contents go; same errors as check(). The temporary is
  /// registered with the interrupt handlers (cli/interrupts.hpp), so that a
  /// second Ctrl-C removes it too.
  OutputFile(std::string_view option, const std::string& path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  OutputFile(OutputFile&&) = delete;
  OutputFile& operator=(OutputFile&&) = delete;
  /// Closes, and removes the temporary unless commit() succeeded.
  ~OutputFile();

  /// The descriptor to write the contents to.
  [[nodiscard]] int fd() const noexcept { return fd_; }

  /// The contents are complete: flushes them to disk, closes, and renames
  /// the temporary over the target. Returns 0, or the errno of the step that
  /// failed (then the target is untouched and the temporary removed).
  [[nodiscard]] int commit() noexcept;

 private:
  std::string target_;     // the path to replace (symbolic links resolved)
  std::string temporary_;  // empty when writing the target in place
  int fd_ = -1;
  int interrupt_slot_ = -1;
  bool committed_ = false;
};

/// Whether two paths name the same file: the same inode when both exist,
/// else the same absolute path once symbolic links are resolved.
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

}  // namespace asyncdemo
