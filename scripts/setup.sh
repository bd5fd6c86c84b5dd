#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs for the demo and the tests: the Debian
# packages of the real servers (web, mail, PostgreSQL, FTP, LDAP, XMPP) and clients the tests
# drive, the npm dependencies, the compiled project, and the Pulumi CLI built from Go
# modules. Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# A command, or an absolute path (a module, a server outside PATH), and the package that has it.
for tool in openssl:openssl curl:curl sshd:openssh-server ssh:openssh-client nginx:nginx \
            apache2:apache2 haproxy:haproxy sudo:sudo python3:python3 \
            lighttpd:lighttpd /usr/lib/lighttpd/mod_openssl.so:lighttpd-mod-openssl postfix:postfix \
            /usr/lib/dovecot/imap-login:dovecot-imapd /usr/lib/dovecot/pop3-login:dovecot-pop3d \
            /usr/lib/postgresql/15/bin/postgres:postgresql vsftpd:vsftpd slapd:slapd prosody:prosody; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || { [ "${tool:0:1}" = / ] && [ -e "${tool%%:*}" ]; } || need_apt+=("${tool#*:}")
done
# Debian's own python3 makes virtual environments only with python3-venv.
command -v python3 >/dev/null 2>&1 && ! python3 -c "import ensurepip" 2>/dev/null && need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo -n"
  # Postfix and slapd ask nothing and make no configuration; no package starts a system
  # service (a system Postfix would take port 25). The tests run their own instances.
  printf '%s\n' "postfix postfix/main_mailer_type select No configuration" "slapd slapd/no_configuration boolean true" | $sudo_cmd debconf-set-selections
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    $sudo_cmd sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    trap '$sudo_cmd rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  # Not `npm ci`: npm 11 records only this platform's optional packages (rollup's) in the
  # lock file and `npm ci` then refuses it as out of sync; `npm install` follows the lock.
  npm install --no-audit --no-fund --loglevel=error
fi

# No PowerShell installs here: the Windows agent's syntax is checked with the tree-sitter
# PowerShell grammar from PyPI, in a venv of its own.
grammar=.tools/powershell-grammar
if [ ! -x "$grammar/bin/python" ] || ! "$grammar/bin/python" -c "import tree_sitter_powershell" 2>/dev/null; then
  echo "setup: installing the PowerShell grammar (tree-sitter)" >&2
  python3 -m venv "$grammar"
  "$grammar/bin/pip" install --quiet --disable-pip-version-check tree-sitter==0.26.1 tree-sitter-powershell==0.26.4
fi

npx tsc -p tsconfig.json
bash scripts/install-pulumi.sh >/dev/null
bash scripts/install-yaml-host.sh
bash scripts/install-codegen-host.sh
bash scripts/install-sdk-checks.sh
bash scripts/install-verifiers.sh
