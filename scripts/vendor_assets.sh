#!/usr/bin/env bash
# Re-fetch the workspace's vendored JavaScript from the npm registry at pinned versions and check
# each file against its pinned SHA-256. vigil serves these itself: no CDN at run time.
#   bash scripts/vendor_assets.sh           fetch, check, write into place
#   bash scripts/vendor_assets.sh --check   only check the files in the tree against the pins
set -euo pipefail
cd "$(dirname "$0")/.."

# package version file-in-tarball destination sha256
PINS=(
  "htmx.org 2.0.11 package/dist/htmx.min.js src/vigil/web/static/vendor/htmx.min.js d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
  "htmx.org 2.0.11 package/LICENSE src/vigil/web/static/vendor/htmx.LICENSE d3d2456f76414f2456104660ebd65aff1c04cd7966b942bdabd63f3cdb316a38"
  "axe-core 4.14.1 package/axe.min.js tests/browser/vendor/axe.min.js 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
  "axe-core 4.14.1 package/LICENSE tests/browser/vendor/axe.LICENSE af175b9d96ee93c21a036152e1b905b0b95304d4ae8c2c921c7609100ba8df7e"
  "cytoscape 3.35.0 package/dist/cytoscape.min.js src/vigil/web/static/vendor/cytoscape.min.js 71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94"
  "cytoscape 3.35.0 package/LICENSE src/vigil/web/static/vendor/cytoscape.LICENSE eb319c6e6f233607f71e8e2f450391751883cfc0eeb3ca7ef574c13d1d9c2203"
)

check_only=0
[ "${1:-}" = "--check" ] && check_only=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for pin in "${PINS[@]}"; do
  read -r package version member dest sum <<<"$pin"
  if [ "$check_only" -eq 0 ]; then
    tarball="$work/$package-$version.tgz"
    if [ ! -f "$tarball" ]; then
      curl -fsSL "https://registry.npmjs.org/$package/-/$package-$version.tgz" -o "$tarball"
      mkdir -p "$work/$package-$version"
      tar -xzf "$tarball" -C "$work/$package-$version"
    fi
    got=$(sha256sum "$work/$package-$version/$member" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
      echo "vendor_assets: $package@$version $member: sha256 $got, pinned $sum" >&2
      status=1; continue
    fi
    mkdir -p "$(dirname "$dest")"
    cp "$work/$package-$version/$member" "$dest"
    echo "vendor_assets: $dest <- $package@$version ($sum)"
  else
    got=$(sha256sum "$dest" | cut -d' ' -f1)
    [ "$got" = "$sum" ] || { echo "vendor_assets: $dest: sha256 $got, pinned $sum" >&2; status=1; }
  fi
done
exit $status
