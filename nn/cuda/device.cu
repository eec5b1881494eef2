#include <cuda_runtime.h>

#include "nn/cuda/device.h"

namespace auris::nn::cuda {

DeviceQuery QueryDevices() {
  DeviceQuery query;
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    query.error = cudaGetErrorString(err);
    return query;
  }
  query.device_count = count;
  if (count > 0) {
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) query.first_device_name = prop.name;
  } else {
    query.error = "no CUDA device";
  }
  return query;
}

}  // namespace auris::nn::cuda
