// Placeholder until the real CLI lands: keeps `make build` and `make run` working.
#include <cstdio>

int main() {
  std::puts("asyncdemo: scenarios not built yet");
  return 0;
}
