# The packet addon: what Node cannot do by itself, nothing more (see packet.cc and probe.cc).
# Built with `node-gyp rebuild --directory=native`; loaded with node-gyp-build from
# src/native/packet.ts. node-gyp needs the local Node headers (nodedir=/usr in ~/.npmrc,
# or npm_config_nodedir) to build offline.
{
  "targets": [
    {
      "target_name": "packet",
      "sources": ["packet.cc", "probe.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-Wall", "-Wextra", "-fno-exceptions"],
      "cflags_cc": ["-Wall", "-Wextra", "-fno-exceptions", "-std=c++17"]
    }
  ]
}
