#!/usr/bin/env bash
# One-shot WebGPU check for a Linux machine with an NVIDIA GPU (see bench/gpu-check.ts).
# Needs: the NVIDIA driver with its Vulkan ICD (nvidia-smi and vulkaninfo should both see the GPU),
# Chromium (CHROMIUM_PATH, /usr/bin/chromium, or Playwright's), and `npm ci` done.
# GPU_CHECK_FULL=1 also measures the 0.5B-shaped model. Writes bench/results/gpu.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v nvidia-smi >/dev/null 2>&1; then
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
	echo "nvidia-smi not found: no NVIDIA GPU here; running the CPU part only."
fi
if command -v vulkaninfo >/dev/null 2>&1; then
	vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverName' || true
fi
[ -f .svelte-kit/tsconfig.json ] || npx svelte-kit sync
exec npx tsx bench/gpu-check.ts "$@"
