#!/bin/bash
# Spotfinder compute nodes on Slurm workers. Each task runs one cobrems-node that joins a running edge's pool,
# and leaves it cleanly when the job is cancelled (scancel sends SIGTERM) or before its wall-time ends (it drains).
#
#   export SPOTFINDER_TOKEN=…   # or SPOTFINDER_TOKEN_FILE=~/.spotfinder/token (chmod 600); never on a command line
#   sbatch --nodes=4 --cpus-per-task=32 Compose/slurm-cobrems-nodes.sh EDGE_HOST:7100              one node per host
#   sbatch --nodes=2 --ntasks-per-node=4 --cpus-per-task=8 Compose/slurm-cobrems-nodes.sh EDGE:7100  one node per task
#   sbatch --array=0-3 --cpus-per-task=8 Compose/slurm-cobrems-nodes.sh EDGE_HOST:7100             4 jobs, each cancellable alone
# Compose/README.md has the whole round: submit, watch, grow, shrink, stop. cobrems-node must be on the workers' PATH.
#
# Optional environment (sbatch passes the submitting shell's environment on):
#   SPOTFINDER_ADVERTISE_HOST  name or address the edge reaches the worker at. Default: its fully qualified name, or
#                              its first address when that name is a loopback alias (Debian's 127.0.1.1); 127.0.0.1
#                              when the edge itself is on loopback (a one-host trial).
#   SPOTFINDER_NODE_PORT       port each node listens on. Default 0: a free port, which the node advertises, so nodes
#                              sharing a host never collide. A fixed port (a firewall rule) allows one node per host.
#   SPOTFINDER_CAPACITY        cores per node. Default: --cpus-per-task, else the job's cores on that host.
#   SPOTFINDER_LOG_DIR         one log per task, JOBNAME-JOBID.TASK.log. Default: spotfinder-logs in the submit folder.
#   SPOTFINDER_DRAIN_MARGIN    seconds before the wall-time ends at which the nodes leave the pool. Default 120.
#SBATCH --job-name=spotfinder-nodes
#SBATCH --ntasks-per-node=1
#SBATCH --time=08:00:00
#SBATCH --output=spotfinder-nodes-%j.out
# A second line of defence for the drain below: Slurm itself sends SIGTERM about a minute before the end.
#SBATCH --signal=TERM@60
set -euo pipefail
export SPOTFINDER_EDGE=${1:?usage: sbatch [options] slurm-cobrems-nodes.sh EDGE_HOST:RPC_PORT}
if [ -z "${SPOTFINDER_TOKEN:-}" ] && [ -z "${SPOTFINDER_TOKEN_FILE:-}" ]; then
  echo "slurm-cobrems-nodes: export SPOTFINDER_TOKEN or SPOTFINDER_TOKEN_FILE (a mode-0600 file) before sbatch" >&2
  exit 2
fi
command -v cobrems-node >/dev/null || { echo "slurm-cobrems-nodes: cobrems-node is not on PATH ($PATH)" >&2; exit 2; }
logs=${SPOTFINDER_LOG_DIR:-${SLURM_SUBMIT_DIR:-$PWD}/spotfinder-logs}
mkdir -p "$logs"

# The drain: every node leaves the pool SPOTFINDER_DRAIN_MARGIN seconds before the job's end (its chunks in flight
# finish, the edge sends no new ones), so the time limit never kills a node mid-chunk. The end comes from Slurm
# (SLURM_JOB_END_TIME where Slurm sets it, else squeue); a job shorter than twice the margin drains halfway.
now=$(date +%s)
end=${SLURM_JOB_END_TIME:-}
if [ -z "$end" ]; then
  # %A is this job's own id (an array element's too; %i would be ARRAY_TASK), %e its end time in local time.
  e=$(squeue --noheader --jobs "$SLURM_JOB_ID" --format "%A %e" 2>/dev/null | awk -v id="$SLURM_JOB_ID" '$1 == id {print $2}' || true)
  end=$(date -d "$e" +%s 2>/dev/null || true)
fi
unset SPOTFINDER_DRAIN_AT
if [[ "$end" =~ ^[0-9]+$ ]] && [ "$end" -gt "$now" ]; then
  margin=${SPOTFINDER_DRAIN_MARGIN:-120}
  if [ $((end - now)) -le $((2 * margin)) ]; then margin=$(((end - now) / 2)); fi
  export SPOTFINDER_DRAIN_AT=$((end - margin))
fi
echo "slurm-cobrems-nodes: job $SLURM_JOB_ID joins edge $SPOTFINDER_EDGE; ${SLURM_NTASKS:-1} node(s);" \
     "drain at ${SPOTFINDER_DRAIN_AT:-never}; logs in $logs"

# One cobrems-node per task, on the task's own host: its own port (0: any free one) and advertised name,
# the node id slurm-JOBID.TASK (what `spotfinder scale` and an operator reading /metrics match jobs by).
# `exec`: scancel's SIGTERM reaches the node itself, which deregisters before it exits.
task='
edge_host=${SPOTFINDER_EDGE%:*}
host=${SPOTFINDER_ADVERTISE_HOST:-}
if [ -z "$host" ]; then
  case "$(getent ahostsv4 "$edge_host" | awk "NR==1{print \$1}")" in
    127.*) host=127.0.0.1 ;;
    *) host=$(hostname -f 2>/dev/null || hostname)
       case "$(getent ahostsv4 "$host" | awk "NR==1{print \$1}")" in 127.*|"") host=$(hostname -I | awk "{print \$1}") ;; esac ;;
  esac
fi
capacity=${SPOTFINDER_CAPACITY:-${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-$(nproc)}}}
echo "task $SLURM_PROCID on $(hostname): cobrems-node pid $$, advertised as $host, capacity $capacity" >&2
exec cobrems-node --listen "0.0.0.0:${SPOTFINDER_NODE_PORT:-0}" --advertise "$host" --edge "$SPOTFINDER_EDGE" \
  --capacity "$capacity" --node-id "slurm-$SLURM_JOB_ID.$SLURM_PROCID" ${SPOTFINDER_DRAIN_AT:+--drain-at "$SPOTFINDER_DRAIN_AT"}
'
srun --kill-on-bad-exit=0 --output="$logs/%x-%j.%t.log" bash -c "$task"
