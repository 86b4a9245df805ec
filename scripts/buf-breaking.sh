#!/usr/bin/env bash
# `buf breaking` for proto/ against a base revision (docs/adr/0040):
#   BUF_BREAKING_AGAINST=<git ref> if set; else the last tag reachable from HEAD (the last release);
#   else, on a branch other than main, its merge base with main (origin/main in a clone);
#   else (main itself, as in CI) HEAD's first parent.
# A clone without that history (`git clone --depth 1`, no tag) has nothing to compare with: it says so
# and passes. The base's buf.yaml and proto/ are read with `git archive`, so worktrees and shallow
# clones work alike.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[buf-breaking] $*"; }
has() { git rev-parse --verify --quiet "$1^{commit}" >/dev/null; }

base=${BUF_BREAKING_AGAINST:-}
if [ -z "$base" ]; then
  branch=$(git rev-parse --abbrev-ref HEAD)
  main=
  for candidate in main origin/main; do has "$candidate" && { main=$candidate; break; }; done
  if tag=$(git describe --tags --abbrev=0 HEAD 2>/dev/null); then
    base=$tag
  elif [ -n "$main" ] && [ "$branch" != main ] && ! [ "$(git rev-parse HEAD)" = "$(git rev-parse "$main")" ]; then
    base=$(git merge-base HEAD "$main" 2>/dev/null || true)
  fi
  if [ -z "$base" ] && has HEAD~1; then base=$(git rev-parse HEAD~1); fi
fi
if [ -z "$base" ] || ! has "$base"; then
  say "no base revision in this clone (no tag, no main to branch from, no parent commit): nothing to compare, skipped"
  exit 0
fi
if [ -z "$(git ls-tree "$base" -- proto/ buf.yaml)" ]; then
  say "$base has no proto/ or buf.yaml: nothing to compare, skipped"
  exit 0
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git archive "$base" -- buf.yaml proto | tar -x -C "$dir"
say "proto/ against $(git rev-parse --short "$base") ($base)"
buf=node_modules/.bin/buf
[ -x "$buf" ] || buf=buf
"$buf" breaking --against "$dir"
