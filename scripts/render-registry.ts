// Writes registry/config.yml and registry/docker-compose.yaml from the LocalRegistry model.
import { writeFileSync } from 'fs';
import { join } from 'path';
import { renderRegistryCompose } from '../lib/registry/compose';

for (const [file, content] of Object.entries(renderRegistryCompose())) {
  writeFileSync(join(__dirname, '..', 'registry', file), content);
  console.log(`wrote registry/${file}`);
}
