// libFuzzer's driver, from the toolchain's runtime (libclang_rt.fuzzer, linked by
// -sanitize=fuzzer). The harnesses call it from their own entry point: see FuzzSupport.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
