/**
 * `hda-agent unit`: the systemd unit that runs this agent, printed for /etc/systemd/system. Settings go
 * in /etc/default/hda-agent as HDA_AGENT_* variables (hda-agent --help).
 */

/** The path must be one a unit file can hold as is: absolute, no spaces, quotes or specifiers. */
export function systemdUnit(execPath: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(execPath)) throw new Error(`--exec must be an absolute path of letters, digits and ._/- (got "${execPath}")`);
  return `[Unit]
Description=HDA agent: installs and runs container apps for the Amahi control plane
After=network-online.target docker.service apache2.service httpd.service
Wants=network-online.target
Requires=docker.service

[Service]
Type=simple
EnvironmentFile=-/etc/default/hda-agent
# The agent drives Docker and Apache, so it runs as root; it writes only its state dir, the apps root
# and its own vhost and log files, and the names file in /etc/hda-agent/hosts.d (dnsmasq reads it).
ExecStart=${execPath} run
# SIGTERM: stop polling, finish the task in hand (HDA_AGENT_SHUTDOWN_GRACE_S, default 60 s), hand it back.
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=90
Restart=on-failure
RestartSec=5
StateDirectory=hda-agent
StateDirectoryMode=0700
UMask=0022
NoNewPrivileges=yes
ProtectSystem=full
ReadWritePaths=-/var/lib/hda-agent -/var/hda -/etc/apache2 -/etc/httpd -/etc/hda-agent -/var/log/apache2 -/var/log/httpd -/run
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`;
}
