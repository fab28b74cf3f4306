#!/bin/bash
# Start Spotfinder compute nodes on cluster workers; they join a running edge's pool.
#   sbatch --nodes=4 --cpus-per-task=32 Compose/slurm-cobrems-nodes.sh EDGE_HOST:7100
# SPOTFINDER_TOKEN must be in the environment (sbatch --export=ALL; never on a command line), and cobrems-node on PATH
# (a release build: swift build -c release --product cobrems-node).
#SBATCH --job-name=spotfinder-nodes
#SBATCH --ntasks-per-node=1
#SBATCH --time=08:00:00
set -euo pipefail
edge=${1:?usage: slurm-cobrems-nodes.sh EDGE_HOST:PORT}
: "${SPOTFINDER_TOKEN:?export SPOTFINDER_TOKEN}"
# One node per worker, using all cores it was given; stopped (and deregistered) when the job ends.
srun --kill-on-bad-exit=0 bash -c 'exec cobrems-node --listen 0.0.0.0:7104 --advertise "$(hostname -f):7104" \
  --edge "'"$edge"'" --capacity "${SLURM_CPUS_PER_TASK:-$(nproc)}"'
