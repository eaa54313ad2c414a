/**
 * The host setup part of the install script (POSIX sh, `set -eu`), run as root after the agent is
 * installed: Apache serves HTTPS (mod_ssl, Listen 443, a default TLS vhost that answers names no app
 * claims with a 403 and its own certificate), and the names daemon the owner chose is ready: dnsmasq
 * reading the agent's hosts folder (`hostsdir=`, a file in /etc/dnsmasq.d), or avahi-daemon for mDNS.
 * Each file is written only when its content differs, so a second run changes nothing. Packages and
 * services are touched only on the real /etc; with HDA_AGENT_ETC pointing elsewhere (a test root)
 * only the files are written and the commands it would run are printed.
 * Debian/Ubuntu (apache2, apt) and Fedora (httpd, dnf). On Fedora mod_ssl's own ssl.conf brings
 * Listen 443 and the default TLS vhost; firewalld ports are left to the owner.
 */
export const HOST_SETUP = `
ETC=\${HDA_AGENT_ETC:-/etc}
NAMES=\${NAMES:-\${HDA_AGENT_NAMES:-dnsmasq}}
HOSTS_DIR=\${HDA_AGENT_DNS_HOSTS_DIR:-$ETC/hda-agent/hosts.d}
case "$NAMES" in
  dnsmasq|mdns|off) ;;
  *) fail "--names must be dnsmasq, mdns or off" ;;
esac
for p in "$ETC" "$HOSTS_DIR"; do
  case "$p" in
    /*) case "$p" in *[!A-Za-z0-9._/-]*) fail "$p: a folder for the host setup must be letters, digits and ._/-" ;; esac ;;
    *) fail "$p must be an absolute folder" ;;
  esac
done

note() { echo "hda-agent install: $*"; }
# Packages and services on the real /etc only; a test root gets the files alone.
sys() { if [ "$ETC" = /etc ]; then "$@"; else note "not run (files only under $ETC): $*"; fi; }
has_systemd() { [ "$ETC" = /etc ] && [ -d /run/systemd/system ]; }
# write_if_changed FILE CONTENT: true when the file was (re)written.
write_if_changed() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 1; fi
  mkdir -p "$(dirname "$1")"
  printf '%s\\n' "$2" >"$1.hda-new" && mv -f "$1.hda-new" "$1"
  note "wrote $1"
}
# enable LINK TARGET: a relative link as a2enmod/a2ensite make; true when it was made.
enable() {
  if [ -e "$1" ] || [ -L "$1" ]; then return 1; fi
  ln -s "$2" "$1"
  note "enabled $1"
}
# pkg_install "DEBIAN PACKAGES" "FEDORA PACKAGES"
pkg_install() {
  if command -v apt-get >/dev/null 2>&1; then
    sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $1
  elif command -v dnf >/dev/null 2>&1; then
    sys dnf install -y -q $2
  else
    note "warning: install $1 yourself (no apt-get or dnf found)"
  fi
}
# setting NAME VALUE: one line of the agent's settings file, replaced or added.
setting() {
  f=$ETC/default/hda-agent
  mkdir -p "$ETC/default"
  touch "$f"
  if grep -qx "$1=$2" "$f"; then return 0; fi
  grep -v "^$1=" "$f" >"$f.hda-new" || true
  echo "$1=$2" >>"$f.hda-new"
  mv -f "$f.hda-new" "$f"
  note "$f: $1=$2"
}

# The default TLS vhost's own certificate: a name no app claims gets it, never an app's.
default_tls_cert() {
  d=$ETC/hda-agent/tls
  if [ -s "$d/default.crt" ] && [ -s "$d/default.key" ]; then return 0; fi
  command -v openssl >/dev/null 2>&1 || { note "warning: no openssl: the default TLS vhost has no certificate"; return 1; }
  mkdir -p "$d" && chmod 0700 "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=default.invalid \\
    -keyout "$d/default.key" -out "$d/default.crt" 2>/dev/null || fail "making the default TLS certificate failed"
  chmod 0600 "$d/default.key"
  note "made the default TLS certificate in $d"
}

apache_debian() {
  a=$ETC/apache2 changed=no
  for f in socache_shmcb.load ssl.load ssl.conf; do
    [ -f "$a/mods-available/$f" ] || continue
    if enable "$a/mods-enabled/$f" "../mods-available/$f"; then changed=yes; fi
  done
  # Debian's ports.conf listens on 443 once mod_ssl is loaded; one that does not gets a snippet.
  if ! grep -Eqs '^[[:space:]]*Listen[[:space:]]+443' "$a/ports.conf"; then
    if write_if_changed "$a/conf-available/hda-agent-https.conf" "<IfModule ssl_module>
	Listen 443
</IfModule>"; then changed=yes; fi
    if enable "$a/conf-enabled/hda-agent-https.conf" ../conf-available/hda-agent-https.conf; then changed=yes; fi
  fi
  if default_tls_cert; then
    if write_if_changed "$a/sites-available/000-hda-agent-default-ssl.conf" "# Written by the hda-agent installer: HTTPS for a name no app claims is refused with this vhost's own certificate.
<IfModule ssl_module>
<VirtualHost *:443>
	ServerName default.invalid
	SSLEngine on
	SSLCertificateFile \\"$ETC/hda-agent/tls/default.crt\\"
	SSLCertificateKeyFile \\"$ETC/hda-agent/tls/default.key\\"
	<Location />
		Require all denied
	</Location>
</VirtualHost>
</IfModule>"; then changed=yes; fi
    if enable "$a/sites-enabled/000-hda-agent-default-ssl.conf" ../sites-available/000-hda-agent-default-ssl.conf; then changed=yes; fi
  fi
  if [ "$changed" = yes ]; then
    sys apache2ctl configtest || fail "Apache's configuration test failed after enabling HTTPS (see above)"
    if has_systemd; then sys systemctl reload-or-restart apache2; fi
  fi
}

apache_fedora() {
  # mod_ssl's conf.d/ssl.conf brings Listen 443 and a default TLS vhost with its own certificate.
  if [ ! -f "$ETC/httpd/conf.d/ssl.conf" ]; then
    pkg_install mod_ssl mod_ssl
    if has_systemd; then sys systemctl reload-or-restart httpd; fi
  fi
  # SELinux keeps httpd from connecting to the apps' ports unless this boolean is on.
  if command -v getsebool >/dev/null 2>&1 && getsebool httpd_can_network_connect 2>/dev/null | grep -q off; then
    sys setsebool -P httpd_can_network_connect 1
  fi
}

names_dnsmasq() {
  command -v dnsmasq >/dev/null 2>&1 || pkg_install dnsmasq dnsmasq
  mkdir -p "$HOSTS_DIR" && chmod 0755 "$HOSTS_DIR"
  if write_if_changed "$ETC/dnsmasq.d/hda-agent.conf" "# Written by the hda-agent installer: the apps' names, from the file the agent keeps in this folder.
hostsdir=$HOSTS_DIR"; then
    # dnsmasq reads hostsdir= at start (then watches the folder itself): restarted once, now.
    if has_systemd; then sys systemctl restart dnsmasq || note "warning: dnsmasq did not restart; app names resolve once it runs"; fi
  fi
}

names_mdns() {
  { command -v avahi-daemon && command -v avahi-publish; } >/dev/null 2>&1 || pkg_install "avahi-daemon avahi-utils" "avahi avahi-tools"
  if has_systemd; then sys systemctl enable --now avahi-daemon; fi
}

host_setup() {
  https="HTTPS on 443"
  if [ -d "$ETC/apache2" ]; then apache_debian
  elif [ -d "$ETC/httpd" ]; then apache_fedora
  else
    https="HTTPS not set up"
    note "warning: no Apache configuration under $ETC (apache2 or httpd): HTTPS is not set up"
  fi
  case "$NAMES" in
    dnsmasq) names_dnsmasq ;;
    mdns) names_mdns ;;
  esac
  setting HDA_AGENT_NAMES "$NAMES"
  if [ "$HOSTS_DIR" != /etc/hda-agent/hosts.d ]; then setting HDA_AGENT_DNS_HOSTS_DIR "$HOSTS_DIR"; fi
  note "host set up: $https, names: $NAMES"
}
`;
