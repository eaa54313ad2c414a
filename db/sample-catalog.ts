/**
 * The sample catalog `npm start` seeds: four of the install scripts Amahi published in 2017, verbatim,
 * so a fresh control plane has something real to browse and install.
 */
export interface SampleApp {
  slug: string;
  name: string;
  description: string;
  homepage: string;
  version: string;
  install_script: string;
}

export const SAMPLE_APPS: SampleApp[] = [
  {
    slug: "markdown-editor",
    name: "Markdown Editor",
    description: "A simple in-browser Markdown editor (SimpleMDE).",
    homepage: "https://simplemde.com/",
    version: '2017.09',
    install_script: "cat > docker-compose.yml << 'EOF'   \nsimplemde-container:\n  image: 'docker.io/v4tech/markdown-editor'\n  container_name: \"APP_IDENTIFIER\"\n  restart: unless-stopped\n  hostname: 'APP_HOSTNAME'\n  ports:\n    - 'HOST_PORT:80'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: "redmine",
    name: "Redmine",
    description: "Project management and issue tracking.",
    homepage: "https://www.redmine.org/",
    version: '2017.09',
    install_script: "cat > docker-compose.yml << 'EOF'\nredmine-container:\n  image: 'redmine'\n  container_name: \"APP_IDENTIFIER\"\n  restart: unless-stopped\n  hostname: 'APP_HOSTNAME'\n  ports:\n    - 'HOST_PORT:3000'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: "radarr",
    name: "Radarr",
    description: "Movie collection manager for Usenet and BitTorrent users.",
    homepage: "https://radarr.video/",
    version: '2017.09',
    install_script: "cat > docker-compose.yml << 'EOF'\nradarr-container:\n  image: 'docker.io/linuxserver/radarr'\n  container_name: \"APP_IDENTIFIER\"\n  hostname: \"APP_HOSTNAME\"\n  restart: unless-stopped\n  ports:\n    - 'HOST_PORT:7878'\n  volumes:\n    - './config:/config'\n    - './downloads:/downloads'\n    - './movies:/movies'\n    - '/etc/localtime:/etc/localtime:ro'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: "nzbget",
    name: "NZBGet",
    description: "An efficient Usenet downloader.",
    homepage: "https://nzbget.net/",
    version: '2017.09',
    install_script: "cat > docker-compose.yml << 'EOF'\nnzbget-container:\n  image: 'docker.io/linuxserver/nzbget'\n  container_name: \"APP_IDENTIFIER\"\n  hostname: \"APP_HOSTNAME\"\n  restart: unless-stopped\n  ports:\n    - 'HOST_PORT:6789'\n  volumes:\n    - './downloads:/downloads'\nEOF\ndocker-compose up -d\n",
  },
];
