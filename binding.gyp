{
  "targets": [
    {
      "target_name": "torchts_native",
      "sources": [
        "native/common/parallel.cc",
        "native/cpu/addon.cc",
        "native/cpu/elementwise.cc",
        "native/cpu/copy.cc",
        "native/cpu/reduce.cc",
        "native/cpu/matmul.cc",
        "native/cpu/index.cc",
        "native/cpu/sort.cc",
        "native/cpu/random.cc",
        "native/cpu/conv.cc",
        "native/cpu/pool.cc",
        "native/cpu/norm.cc",
        "native/cpu/optim.cc",
        "native/cpu/mmap.cc",
        "native/cpu/norm_layer.cc",
        "native/cpu/rnn_cell.cc",
        "native/cpu/resample.cc",
        "native/cpu/alloc.cc",
        "native/cpu/softmax.cc",
        "native/cpu/linear.cc",
        "native/cpu/linear_bwd.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-pthread", "-fno-math-errno", "-Wall", "-Wno-unused-function"],
      "ldflags": ["-pthread"]
    }
  ]
}
