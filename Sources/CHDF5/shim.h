#ifndef WORKBENCH_CHDF5_SHIM_H
#define WORKBENCH_CHDF5_SHIM_H
// Debian's libhdf5-dev (serial): pkg-config hdf5 gives -I/usr/include/hdf5/serial.
#include <hdf5.h>

// HDF5's type and property-class ids are macros over globals that need H5open() first; Swift
// imports neither, so they come as functions.
static inline hid_t wb_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t wb_h5_float32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t wb_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t wb_h5_link_create_class(void) { return H5P_LINK_CREATE; }
static inline unsigned wb_h5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned wb_h5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
// Errors are reported by return values; HDF5 would otherwise print its stack to stderr.
static inline void wb_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
