// Parses each PowerShell file given on the command line with tree-sitter-powershell and fails
// if the tree has an ERROR or MISSING node anywhere, printing where.
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');

function firstError(node) {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (let i = 0; i < node.childCount; i++) {
    const found = firstError(node.child(i));
    if (found) return found;
  }
  return null;
}

(async () => {
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const tree = parser.parse(fs.readFileSync(file, 'utf8'));
    const bad = tree.rootNode.hasError ? firstError(tree.rootNode) : null;
    if (tree.rootNode.hasError) {
      failed++;
      const where = bad ? `${bad.startPosition.row + 1}:${bad.startPosition.column + 1}` : '?';
      console.log(`FAIL: ${file}:${where}: ${bad ? bad.type : 'error'}`);
    } else {
      console.log(`ok: ${file}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
