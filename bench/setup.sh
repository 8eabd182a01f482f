#!/usr/bin/env bash
# One-time: PyTorch from Debian, and OpenBLAS beside it (Debian's python3-torch otherwise uses the
# netlib reference BLAS, 30x slower at matmul), extracted into bench/.openblas (git-ignored).
set -eu
cd "$(dirname "$0")"
apt-get update -qq
apt-get install -y -qq python3-torch
mkdir -p .openblas/debs
(cd .openblas/debs && apt-get download libopenblas0-pthread)
dpkg -x .openblas/debs/libopenblas0-pthread_*.deb .openblas
