#!/usr/bin/env bash
# One-time set-up of the peers `npm run bench` compares against. Nothing here is needed by
# `npm ci`, `npm test` or CI; every step installs into git-ignored folders under bench/.
#  1. PyTorch and torchvision from Debian, and OpenBLAS beside them (Debian's python3-torch
#     otherwise uses the netlib reference BLAS, 30x slower at matmul), extracted into bench/.openblas.
#  2. onnxruntime-node 1.30.0 (an optional peer, never a dependency of torchts) into bench/peers.
#     ONNXRUNTIME_NODE_INSTALL=skip: its postinstall would fetch CUDA bits from the network and fail
#     offline; the CPU binaries are inside the npm tarball.
#  3. The benchmark models and their weights (bench/export_onnx.py) into bench/onnx.
set -eu
cd "$(dirname "$0")"
apt-get update -qq
apt-get install -y -qq python3-torch python3-torchvision
mkdir -p .openblas/debs
(cd .openblas/debs && apt-get download libopenblas0-pthread)
dpkg -x .openblas/debs/libopenblas0-pthread_*.deb .openblas
mkdir -p peers
[ -f peers/package.json ] || echo '{ "name": "torchts-bench-peers", "private": true }' > peers/package.json
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix peers --no-audit --no-fund onnxruntime-node@1.30.0
/usr/bin/python3 export_onnx.py onnx
