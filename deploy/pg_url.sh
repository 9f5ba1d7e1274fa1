# Sourced by backup.sh and restore.sh with $url set to the database URL: makes it a libpq URL and moves its
# password into a 0600 pgpass file (removed on exit), so no password ever stands on a command line.

# libpq does not know SQLAlchemy's driver suffix (postgresql+psycopg://).
url="$(printf '%s' "$url" | sed -E 's#^postgres(ql)?(\+[a-z0-9]+)?://#postgresql://#')"

# libpq reads the password from a 0600 pgpass file, never from the command line (where every user of
# the machine could see it in the process list): strip it from the URL and write it to a temp file.
pgpass=""
hide_password() {
  if [[ "$url" =~ ^(postgresql://)([^@/?]*)@(.*)$ ]]; then
    local userinfo="${BASH_REMATCH[2]}" rest="${BASH_REMATCH[3]}" pw
    if [[ "$userinfo" == *:* ]]; then
      pw="${userinfo#*:}"
      pw="$(printf '%b' "${pw//%/\\x}")"          # percent-decoding, as in the URL
      pw="${pw//\\/\\\\}"; pw="${pw//:/\\:}"       # pgpass escaping
      pgpass="$(mktemp "${TMPDIR:-/tmp}/gongkai-pgpass.XXXXXX")"
      chmod 600 "$pgpass"
      printf '*:*:*:*:%s\n' "$pw" >"$pgpass"
      export PGPASSFILE="$pgpass"
      url="postgresql://${userinfo%%:*}@${rest}"
    fi
  fi
}
hide_password
trap 'rm -f ${pgpass:+"$pgpass"}' EXIT
