#!/usr/bin/env bash
# slurm-local.sh — a single-node Slurm 22.05 (Debian 12 packages) on localhost, no systemd, for
# Galvana's scheduler tests in CI (a fresh Debian 12 machine, run as root).
#
# Adapted from the project testbed recipe /work/shared/testbed/slurm-local.sh (same daemons and
# layout). Changes for Galvana: GPU TRES tracked in accounting (gres/gpu), a short credential
# lifetime so requeued campaign segments start again within seconds, a `token` command, and
# OpenMPI installed by default (the batch scripts run `srun --mpi=pmix` or `mpirun`).
#
#   scripts/slurm-local.sh up       # install (if needed), configure, start; idempotent
#   scripts/slurm-local.sh down     # stop every daemon it started (by PID file)
#   scripts/slurm-local.sh status
#   scripts/slurm-local.sh token    # prints SLURM_JWT=... (for the REST backend)
# Env knobs: SLURM_ACCT=1 (MariaDB+slurmdbd, sacct works)  SLURM_REST=1 (slurmrestd on 127.0.0.1:6820, JWT)
#            SLURM_MPI=1 (openmpi-bin libopenmpi-dev)       SLURM_WIPE=1 on `down`: also delete job state + accounting DB
#            SLURM_CRED_EXPIRE=10 (seconds; a requeued job waits about this long before it may start again)
set -euo pipefail
# Daemons inherit the working directory: start them from / so that deleting the directory
# this script was run from (a CI checkout) cannot break slurmrestd (it calls getcwd).
cd /
ACCT=${SLURM_ACCT:-1}; REST=${SLURM_REST:-1}; MPI=${SLURM_MPI:-1}
REST_ADDR=${SLURM_REST_ADDR:-127.0.0.1:6820}
CRED_EXPIRE=${SLURM_CRED_EXPIRE:-10}
CLUSTER=localcluster; DBPASS=slurmdbpass
RUN=/run/slurm; STATE=/var/lib/slurm/slurmctld; LOG=/var/log/slurm
JWT_KEY=$STATE/jwt_hs256.key
export DEBIAN_FRONTEND=noninteractive

say()   { echo "[slurm-local] $*"; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { local what=$1 n=$2; shift 2; for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.2; done; say "timeout waiting for $what"; return 1; }
stop_pid() {  # stop_pid NAME PIDFILE
  alive "$2" || { rm -f "$2"; return 0; }
  local p; p=$(cat "$2"); say "stopping $1 (pid $p)"; kill "$p"
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || { rm -f "$2"; return 0; }; sleep 0.1; done
  say "$1 ignored SIGTERM, sending SIGKILL"; kill -9 "$p" 2>/dev/null || true; rm -f "$2"
}

install_pkgs() {
  local pkgs="munge slurmctld slurmd slurm-client slurm-wlm-basic-plugins libpmix2"
  [ "$ACCT" = 1 ] && pkgs+=" slurmdbd slurm-wlm-mysql-plugin mariadb-server"
  [ "$REST" = 1 ] && pkgs+=" slurmrestd slurm-wlm-jwt-plugin curl"
  [ "$MPI"  = 1 ] && pkgs+=" openmpi-bin libopenmpi-dev"
  local missing="" p
  for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=" $p"; done
  [ -z "$missing" ] && { say "packages already installed"; return 0; }
  # keep postinst scripts from auto-starting daemons
  local tmp_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; tmp_policy=1; fi
  say "installing:$missing"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
  [ "$tmp_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then mungekey --create --keyfile=/etc/munge/munge.key; fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  if ! alive /run/munge/munged.pid; then
    say "starting munged"; runuser -u munge -- /usr/sbin/munged --force
  fi
  wait_for munge 50 bash -c 'munge -n | unmunge >/dev/null 2>&1'
}

start_mariadb() {
  install -d -o mysql -g root -m 0755 /run/mysqld
  cat > /etc/mysql/mariadb.conf.d/99-slurm.cnf <<'CNF'
[mysqld]
innodb_buffer_pool_size=256M
innodb_lock_wait_timeout=900
CNF
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null 2>&1
  if ! alive /run/mysqld/mysqld.pid; then
    say "starting mariadbd"
    nohup /usr/sbin/mariadbd --user=mysql >"$LOG/mariadb.log" 2>&1 </dev/null &
  fi
  wait_for mariadb 150 mariadb-admin --protocol=socket ping >/dev/null 2>&1
  # root@localhost authenticates via unix_socket on Debian
  mariadb -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
              CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
}

write_conf() {
  local node mem
  node=$(slurmd -C | head -1)                       # NodeName=<hostname -s> CPUs=.. Boards=.. ... RealMemory=..
  mem=$(awk '/MemTotal/{printf "%d", $2/1024*0.9}' /proc/meminfo)
  node=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$mem/" <<<"$node")
  [ -s "$JWT_KEY" ] || { dd if=/dev/urandom of="$JWT_KEY" bs=32 count=1 status=none; }
  chmod 0600 "$JWT_KEY"
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=$CLUSTER
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=cred_expire=$CRED_EXPIRE
CredType=cred/munge
$( [ "$REST" = 1 ] && printf 'AuthAltTypes=auth/jwt\nAuthAltParameters=jwt_key=%s' "$JWT_KEY" )
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$STATE
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SwitchType=switch/none
ReturnToService=2
JobRequeue=1
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
GresTypes=gpu
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5
$( if [ "$ACCT" = 1 ]; then printf 'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\nAccountingStoragePort=6819\nAccountingStorageTRES=cpu,mem,node,billing,gres/gpu\nAccountingStoreFlags=job_comment,job_env,job_script'; else echo 'AccountingStorageType=accounting_storage/none'; fi )
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.log
MinJobAge=300
KillWait=5
InactiveLimit=0
Waittime=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  if [ "$ACCT" = 1 ]; then
    cat > /etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
$( [ "$REST" = 1 ] && printf 'AuthAltTypes=auth/jwt\nAuthAltParameters=jwt_key=%s' "$JWT_KEY" )
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=6819
SlurmUser=root
DebugLevel=info
LogFile=$LOG/slurmdbd.log
PidFile=$RUN/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DBPASS
StorageLoc=slurm_acct_db
CONF
    chmod 0600 /etc/slurm/slurmdbd.conf
  fi
}

node_ready() { sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)$'; }

up() {
  [ "$(id -u)" = 0 ] || { say "must run as root"; exit 1; }
  install_pkgs
  mkdir -p "$RUN" "$STATE" /var/lib/slurm/slurmd "$LOG"
  start_munge
  [ "$ACCT" = 1 ] && start_mariadb
  write_conf
  if [ "$ACCT" = 1 ]; then
    alive $RUN/slurmdbd.pid || { say "starting slurmdbd"; slurmdbd; }
    wait_for slurmdbd 150 port_open 6819
    sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER" || sacctmgr -i add cluster "$CLUSTER" >/dev/null
  fi
  alive $RUN/slurmctld.pid || { say "starting slurmctld"; slurmctld; }
  wait_for slurmctld 150 bash -c 'scontrol ping 2>/dev/null | grep -q "is UP"'
  alive $RUN/slurmd.pid || { say "starting slurmd"; slurmd; }
  wait_for "node idle" 150 node_ready
  if [ "$REST" = 1 ] && ! alive $RUN/slurmrestd.pid; then
    id slurm >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurm
    say "starting slurmrestd on $REST_ADDR"
    # must not run as root/SlurmUser: -u/-g setuid after binding; SLURM_JWT=daemon => talk to slurmctld with JWT
    SLURM_JWT=daemon nohup /usr/sbin/slurmrestd -u slurm -g slurm -a rest_auth/jwt "$REST_ADDR" \
      >"$LOG/slurmrestd.log" 2>&1 </dev/null &
    echo $! > $RUN/slurmrestd.pid
    wait_for slurmrestd 100 port_open "${REST_ADDR##*:}"
  fi
  sinfo
  [ "$REST" = 1 ] && say "REST token: export \$(scontrol token username=root lifespan=86400)  # -> SLURM_JWT=..."
  return 0
}

down() {
  stop_pid slurmrestd $RUN/slurmrestd.pid
  stop_pid slurmd     $RUN/slurmd.pid
  stop_pid slurmctld  $RUN/slurmctld.pid
  stop_pid slurmdbd   $RUN/slurmdbd.pid
  stop_pid mariadbd   /run/mysqld/mysqld.pid
  stop_pid munged     /run/munge/munged.pid
  if [ "${SLURM_WIPE:-0}" = 1 ]; then
    say "wiping job state and accounting DB"
    rm -rf "${STATE:?}"/* /var/lib/slurm/slurmd/* "$LOG"/*
    rm -rf /var/lib/mysql   # re-created by mariadb-install-db on next `up`
  fi
}

status() {
  local n f
  for n in munged:/run/munge/munged.pid mariadbd:/run/mysqld/mysqld.pid slurmdbd:$RUN/slurmdbd.pid \
           slurmctld:$RUN/slurmctld.pid slurmd:$RUN/slurmd.pid slurmrestd:$RUN/slurmrestd.pid; do
    f=${n#*:}; if alive "$f"; then echo "${n%%:*}: running pid $(cat "$f")"; else echo "${n%%:*}: stopped"; fi
  done
}

case "${1:-up}" in
  up) up;; down) down;; status) status;;
  token) scontrol token username="${SLURM_TOKEN_USER:-root}" lifespan="${SLURM_TOKEN_LIFESPAN:-86400}";;
  *) echo "usage: $0 up|down|status|token"; exit 2;;
esac
