#!/usr/bin/env bash
# Restore a gongkai backup (made by backup.sh) into an EMPTY PostgreSQL database.
#
#   deploy/restore.sh /var/backups/gongkai/gongkai-20250101T023000Z.dump postgresql://user:pw@host/gongkai_restored
#
# The target database must exist and be empty (create it with `createdb`); restore.sh refuses a
# database that already has tables, so it can never overwrite the live one by mistake.
# The whole restore runs in one transaction: it either completes or leaves the target empty.
# Afterwards point GONGKAI_DATABASE_URL at it and run `gongkai init` (migrates an older dump to head).
set -euo pipefail

dump="${1:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}"
url="${2:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}"
source "$(dirname "${BASH_SOURCE[0]}")/pg_url.sh"  # libpq URL, password in a temp pgpass file

[ -r "$dump" ] || { echo "restore.sh: 找不到备份文件 $dump" >&2; exit 2; }
if [ -r "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
    || { echo "restore.sh: 备份文件校验失败（sha256 不符）" >&2; exit 2; }
fi
pg_restore --list "$dump" >/dev/null || { echo "restore.sh: 不是有效的 pg_dump 备份文件" >&2; exit 2; }

tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
  -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" \
  || { echo "restore.sh: 无法连接目标数据库" >&2; exit 2; }
if [ "$tables" != "0" ]; then
  echo "restore.sh: 目标数据库不是空库（已有 $tables 张表），拒绝恢复。请先 createdb 一个新库。" >&2
  exit 2
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$dump"
echo "已恢复到目标数据库。下一步：把 GONGKAI_DATABASE_URL 指向它，运行 gongkai init，再启动服务。"
