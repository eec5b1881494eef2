// CUDA device discovery for the optional GPU backend. Thread-safe.
#ifndef AURIS_NN_CUDA_DEVICE_H_
#define AURIS_NN_CUDA_DEVICE_H_

#include <string>

namespace auris::nn::cuda {

struct DeviceQuery {
  int device_count = 0;  // usable CUDA devices
  std::string error;     // the runtime's message when none is usable
  std::string first_device_name;
};

DeviceQuery QueryDevices();

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_DEVICE_H_
