import { describe, expect, it } from 'vitest';
import { isSupportedStep, parseInstallScript } from '../../../core/catalog/script';

const compose = 'web:\n  image: nginx\n  ports:\n    - "HOST_PORT:80"\n';

describe('parseInstallScript: heredocs', () => {
  it.each([
    ["cat > docker-compose.yml << 'EOF'", 'EOF'],
    ['cat > docker-compose.yml <<EOF', 'EOF'],
    ['cat > docker-compose.yml <<"EOF"', 'EOF'],
    ["cat >docker-compose.yml <<'END_OF_FILE'", 'END_OF_FILE'],
    ["cat << 'EOF' > docker-compose.yml", 'EOF'],
    ["cat > docker-compose.yml << 'EOF'   ", 'EOF'],
    ["cat > ./docker-compose.yml << 'EOF'", 'EOF'],
  ])('reads %j', (opener, delim) => {
    const r = parseInstallScript(`${opener}\n${compose}${delim}\ndocker-compose up -d\n`);
    expect(r.compose).toEqual({ path: 'docker-compose.yml', text: compose, line: 1, bodyLine: 2 });
    expect(r.composeUp).toBe(true);
    expect(r.findings).toEqual([]);
  });

  it('<<- strips leading tabs from the body and the terminator', () => {
    const r = parseInstallScript(`cat > docker-compose.yml <<-EOF\n\tweb:\n\t  image: nginx\n\tEOF\n`);
    expect(r.compose?.text).toBe('web:\n  image: nginx\n');
  });

  it('the same delimiter reused for several files, each kept by path', () => {
    const script = [
      "cat > Dockerfile << 'EOF'",
      'FROM alpine',
      'EOF',
      "cat > html/include/config.inc.php << 'EOF'",
      '<?php $x = 1; ?>',
      'EOF',
      "cat > docker-compose.yml << 'EOF'",
      'web:',
      '  build: .',
      'EOF',
      'docker compose up -d',
    ].join('\n');
    const r = parseInstallScript(script);
    expect(r.files).toEqual({ Dockerfile: 'FROM alpine\n', 'html/include/config.inc.php': '<?php $x = 1; ?>\n' });
    expect(r.compose?.bodyLine).toBe(8);
    expect(r.steps.map((s) => s.kind)).toEqual(['write-file', 'write-file', 'write-file', 'compose-up']);
    expect(r.steps.every(isSupportedStep)).toBe(true);
  });

  it('the last write of docker-compose.yml wins; >> appends', () => {
    const r = parseInstallScript(
      "cat > docker-compose.yml << 'A'\nold: 1\nA\ncat > docker-compose.yml << 'B'\nweb:\nB\ncat >> docker-compose.yml << 'C'\n  image: x\nC\n",
    );
    expect(r.compose?.text).toBe('web:\n  image: x\n');
  });

  it('a terminator with trailing whitespace is accepted with a warning', () => {
    const r = parseInstallScript("cat > f.txt << 'EOF'\nhello\nEOF  \n");
    expect(r.files['f.txt']).toBe('hello\n');
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'heredoc-terminator', line: 3 })]);
  });

  it('an unterminated heredoc is an error', () => {
    const r = parseInstallScript("cat > docker-compose.yml << 'EOF'\nweb:\n  image: x\n");
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'heredoc-unterminated', line: 1 })]);
    expect(r.compose).toBeNull();
  });

  it.each(['/etc/cron.d/evil', '../outside.yml', 'html/../../x', '$HOME/x', '"a b"'])('refuses the heredoc path %s', (p) => {
    const r = parseInstallScript(`cat > ${p} << 'EOF'\nx\nEOF\n`);
    expect(r.findings.map((f) => [f.severity, f.rule])).toContainEqual(['error', 'file-path']);
    expect(Object.keys(r.files)).toEqual([]);
  });

  it('an unquoted delimiter with $ in the body needs review (bash would expand it)', () => {
    const r = parseInstallScript('cat > a.conf <<EOF\nuser=$HDA_DB_USERNAME\nEOF\n');
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'review', rule: 'heredoc-expansion', line: 2, text: 'user=$HDA_DB_USERNAME' })]);
  });

  it('a heredoc fed to another command is unsupported, and its body is not read as commands', () => {
    const r = parseInstallScript('mysql -u root <<SQL\nDROP DATABASE x;\nrm -rf /\nSQL\ndocker-compose up -d\n');
    expect(r.steps.map((s) => [s.kind, s.line])).toEqual([
      ['mysql-import', 1],
      ['compose-up', 5],
    ]);
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'unsupported-step', line: 1 })]);
  });
});

describe('parseInstallScript: other steps', () => {
  it('amahi-download with a name or a URL and a SHA-1; trailing semicolons', () => {
    const sha = '911a6f3b9dc8ffd5086e1aa6361c4bc21d1098c6';
    const r = parseInstallScript(
      `amahi-download a.sql.gz ${sha};\namahi-download https://dl.example/x/b.tgz ${sha.toUpperCase()}\namahi-download c.gz nothex\n`,
    );
    expect(r.steps.map((s) => [s.kind, s.args])).toEqual([
      ['download', { file: 'a.sql.gz', sha1: sha }],
      ['download', { file: 'b.tgz', sha1: sha, url: 'https://dl.example/x/b.tgz' }],
      ['download', { supported: false }],
    ]);
    expect(r.findings.map((f) => f.line)).toEqual([3]);
  });

  it('chmod inside the app folder is supported; outside, symbolic or setuid is not', () => {
    const r = parseInstallScript('chmod 755 html\nchmod -R 0644 WEBAPP_PATH/html/a ./b\nchmod 777 /etc\nchmod u+x x\nchmod 4755 x\nchmod 777 ../x\n');
    expect(r.steps.slice(0, 2).map((s) => s.args)).toEqual([
      { mode: 0o755, recursive: false, paths: ['html'] },
      { mode: 0o644, recursive: true, paths: ['html/a', 'b'] },
    ]);
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([
      ['unsupported-step', 3],
      ['unsupported-step', 4],
      ['unsupported-step', 5],
      ['unsupported-step', 6],
    ]);
  });

  it('rm, mv, pipes, variables and unknown commands are reported with line and exact text', () => {
    const script = '#!/bin/bash\n# comment\n\nrm -f x\nmv a b\necho $PATH > y\ncurl http://x | sh\nsudo reboot\n';
    const r = parseInstallScript(script);
    expect(r.findings.map((f) => [f.line, f.text, f.severity])).toEqual([
      [4, 'rm -f x', 'review'],
      [5, 'mv a b', 'review'],
      [6, 'echo $PATH > y', 'review'],
      [7, 'curl http://x | sh', 'review'],
      [8, 'sudo reboot', 'review'],
    ]);
    expect(r.steps.map((s) => s.kind)).toEqual(['rm', 'mv', 'unsupported', 'unsupported', 'unsupported']);
  });

  it('nested blocks are one step; an unclosed block is a syntax error', () => {
    const r = parseInstallScript('if [ -d a ]; then\n  for f in *; do\n    echo $f\n  done\nfi\ndocker-compose up -d\n');
    expect(r.steps.map((s) => [s.kind, s.line])).toEqual([
      ['shell-block', 1],
      ['compose-up', 6],
    ]);
    expect(r.findings.map((f) => f.line)).toEqual([1, 2, 3, 4, 5]);
    const bad = parseInstallScript('if true; then\n  echo x\n');
    expect(bad.findings.map((f) => f.rule)).toContain('script-syntax');
  });

  it('backslash continuations are one command, reported at their first line', () => {
    const r = parseInstallScript('chmod -R 755 \\\n  html\nfoo \\\n bar\n');
    expect(r.steps[0]).toMatchObject({ kind: 'chmod', line: 1, args: { paths: ['html'] } });
    expect(r.findings).toEqual([expect.objectContaining({ line: 3, text: 'foo \\\n bar' })]);
  });

  it('docker-compose up with a file or service argument is not the plain compose up', () => {
    const r = parseInstallScript('docker-compose -f other.yml up -d\ndocker-compose up -d web\ndocker-compose up -d --build\n');
    expect(r.steps.map((s) => s.kind)).toEqual(['unsupported', 'unsupported', 'compose-up']);
  });

  it('an empty script is an error; CRLF line endings are read', () => {
    expect(parseInstallScript('  \n').findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'script-empty' })]);
    const r = parseInstallScript("cat > docker-compose.yml << 'EOF'\r\nweb:\r\n  image: x\r\nEOF\r\ndocker-compose up -d\r\n");
    expect(r.compose?.text).toBe('web:\n  image: x\n');
    expect(r.composeUp).toBe(true);
  });
});
