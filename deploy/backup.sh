#!/usr/bin/env bash
# Back up the gongkai PostgreSQL database: pg_dump custom format, verified, with retention.
#
#   GONGKAI_DATABASE_URL=postgresql://user:pw@host:5432/gongkai BACKUP_DIR=/var/backups/gongkai deploy/backup.sh
#
# BACKUP_DIR        where dumps go (default ./backups)
# BACKUP_KEEP_DAYS  delete dumps older than this many days (default 30)
# BACKUP_KEEP_MIN   but always keep at least this many newest dumps (default 7)
# Prints the path of the new dump on stdout. Exit 0 on success, non-zero on any failure.
set -euo pipefail

url="${GONGKAI_DATABASE_URL:?GONGKAI_DATABASE_URL is not set}"
dir="${BACKUP_DIR:-./backups}"
keep_days="${BACKUP_KEEP_DAYS:-30}"
keep_min="${BACKUP_KEEP_MIN:-7}"

case "$url" in
  postgresql*|postgres*) ;;
  *) echo "backup.sh: 只支持 PostgreSQL（SQLite 请在停止服务后直接复制数据库文件）" >&2; exit 2 ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/pg_url.sh"  # libpq URL, password in a temp pgpass file

umask 077
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dir/gongkai-$stamp.dump"
tmp="$final.partial"
trap 'rm -f "$tmp" ${pgpass:+"$pgpass"}' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$tmp" --dbname="$url"
pg_restore --list "$tmp" >/dev/null        # a dump that cannot be listed is not a backup
mv "$tmp" "$final"
sha256sum "$final" | sed "s#  .*/#  #" >"$final.sha256"

# Retention: everything older than keep_days, except the keep_min newest dumps.
mapfile -t dumps < <(ls -1t "$dir"/gongkai-*.dump 2>/dev/null)
for ((i = keep_min; i < ${#dumps[@]}; i++)); do
  old="${dumps[$i]}"
  if [ -n "$(find "$old" -mtime +"$keep_days" -print)" ]; then
    rm -f "$old" "$old.sha256"
  fi
done

echo "$final"
