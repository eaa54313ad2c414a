/**
 * The sample catalog `npm start` seeds: four of the install scripts Amahi published in 2017, verbatim,
 * so a fresh control plane has something real to browse and install.
 */

/** A rounded tile in `color` with `glyph` (SVG path data on a 24-unit grid) in white. */
const tile = (color: string, glyph: string) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><rect width='24' height='24' rx='5' fill='${color}'/><path d='${glyph}' fill='none' stroke='white' stroke-width='1.8' stroke-linecap='round' stroke-linejoin='round'/></svg>`)}`;

import type { AppCategory } from '../db/schema';

export interface SampleApp {
  slug: string;
  name: string;
  description: string;
  homepage: string;
  category: AppCategory;
  /** A small SVG drawn for this catalog (data: URL), not the project's own logo. */
  icon_url: string;
  version: string;
  install_script: string;
}

export const SAMPLE_APPS: SampleApp[] = [
  {
    slug: 'markdown-editor',
    name: 'Markdown Editor',
    description: 'A simple in-browser Markdown editor (SimpleMDE).',
    homepage: 'https://simplemde.com/',
    category: 'productivity',
    icon_url: tile('#3b6fd8', 'M6 16V8l3 4 3-4v8M15 12l2.5 3 2.5-3M17.5 8v7'),
    version: '2017.09',
    install_script:
      "cat > docker-compose.yml << 'EOF'   \nsimplemde-container:\n  image: 'docker.io/v4tech/markdown-editor'\n  container_name: \"APP_IDENTIFIER\"\n  restart: unless-stopped\n  hostname: 'APP_HOSTNAME'\n  ports:\n    - 'HOST_PORT:80'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: 'redmine',
    name: 'Redmine',
    description: 'Project management and issue tracking.',
    homepage: 'https://www.redmine.org/',
    category: 'development',
    icon_url: tile('#b32024', 'M6 17V7h6a3 3 0 0 1 0 6H6M12 13l5 4'),
    version: '2017.09',
    install_script:
      "cat > docker-compose.yml << 'EOF'\nredmine-container:\n  image: 'redmine'\n  container_name: \"APP_IDENTIFIER\"\n  restart: unless-stopped\n  hostname: 'APP_HOSTNAME'\n  ports:\n    - 'HOST_PORT:3000'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: 'radarr',
    name: 'Radarr',
    description: 'Movie collection manager for Usenet and BitTorrent users.',
    homepage: 'https://radarr.video/',
    category: 'media',
    icon_url: tile('#d8a31a', 'M5 8h14v9H5zM9 5l3 3 3-3'),
    version: '2017.09',
    install_script:
      "cat > docker-compose.yml << 'EOF'\nradarr-container:\n  image: 'docker.io/linuxserver/radarr'\n  container_name: \"APP_IDENTIFIER\"\n  hostname: \"APP_HOSTNAME\"\n  restart: unless-stopped\n  ports:\n    - 'HOST_PORT:7878'\n  volumes:\n    - './config:/config'\n    - './downloads:/downloads'\n    - './movies:/movies'\n    - '/etc/localtime:/etc/localtime:ro'\nEOF\ndocker-compose up -d\n",
  },
  {
    slug: 'nzbget',
    name: 'NZBGet',
    description: 'An efficient Usenet downloader.',
    homepage: 'https://nzbget.net/',
    category: 'downloads',
    icon_url: tile('#2f8f4e', 'M12 5v10M8 11l4 4 4-4M6 19h12'),
    version: '2017.09',
    install_script:
      "cat > docker-compose.yml << 'EOF'\nnzbget-container:\n  image: 'docker.io/linuxserver/nzbget'\n  container_name: \"APP_IDENTIFIER\"\n  hostname: \"APP_HOSTNAME\"\n  restart: unless-stopped\n  ports:\n    - 'HOST_PORT:6789'\n  volumes:\n    - './downloads:/downloads'\nEOF\ndocker-compose up -d\n",
  },
];
