#pragma once
// valid_against_schema: whether a --json document validates against
// schema/asyncdemo-1.schema.json, checked with tools/validate_json.py (Debian's
// python3-jsonschema) as a CI user would. For the end-to-end tests.

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/scratch_file.hpp"

namespace asyncdemo::test {

inline bool valid_against_schema(const std::string& document) {
  const ScratchFile file("doc.json");
  std::ofstream(file.path()) << document;
  const std::string command = fmt::format(
      "/usr/bin/python3 '{0}/tools/validate_json.py' '{0}/schema/asyncdemo-1.schema.json' '{1}'",
      ASYNCDEMO_SOURCE_DIR, file.arg());
  return std::system(command.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe, cert-env33-c)
}

}  // namespace asyncdemo::test
