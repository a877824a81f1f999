#ifndef WORKBENCH_COPENBLAS_SHIM_H
#define WORKBENCH_COPENBLAS_SHIM_H
// Debian's libopenblas-dev installs cblas.h (with openblas_set_num_threads) on the
// multiarch include path.
#include <cblas.h>
#endif
