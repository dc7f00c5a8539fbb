#!/usr/bin/env bash
# Re-create app/static/vendor/{bpmn-js,dmn-js} from the npm registry (whichever registry
# npm is configured to use). Only the files the studio loads are kept: the prebuilt UMD
# bundles, their CSS and web fonts, and each package's LICENSE.
#
#   app/static/vendor/refresh.sh                 # the pinned versions below
#   BPMN_JS_VERSION=18.31.1 DMN_JS_VERSION=17.10.2 app/static/vendor/refresh.sh
set -euo pipefail

BPMN_JS_VERSION="${BPMN_JS_VERSION:-18.31.1}"
DMN_JS_VERSION="${DMN_JS_VERSION:-17.10.2}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked package dir on stdout
  local name="$1" version="$2" tarball
  tarball="$(cd "$work" && npm pack --silent "${name}@${version}" | tail -n 1)"
  mkdir -p "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name"
  echo "$work/$name/package"
}

copy() {  # copy SRC_ROOT DEST_ROOT RELATIVE_PATH...
  local src="$1" dest="$2"; shift 2
  local rel
  for rel in "$@"; do
    mkdir -p "$dest/$(dirname "$rel")"
    cp "$src/$rel" "$dest/$rel"
  done
}

readme() {  # readme DEST NAME VERSION
  cat > "$1/README.md" <<MD
# $2 $3

Vendored from the npm package \`$2@$3\` by \`app/static/vendor/refresh.sh\`
(prebuilt UMD bundles from \`dist/\`, the CSS and web fonts they need, and the LICENSE).
Do not edit these files; change the pinned version in \`refresh.sh\` and run it again.
MD
}

# --- bpmn-js: modeller (studio editor) and navigated viewer (version and diff pages) ---
pkg="$(fetch bpmn-js "$BPMN_JS_VERSION")"
dest="$here/bpmn-js"
rm -rf "$dest"; mkdir -p "$dest"
copy "$pkg" "$dest" LICENSE \
  dist/bpmn-modeler.production.min.js \
  dist/bpmn-navigated-viewer.production.min.js \
  dist/assets/diagram-js.css \
  dist/assets/bpmn-js.css \
  dist/assets/bpmn-font/css/bpmn.css \
  dist/assets/bpmn-font/font/bpmn.woff2 \
  dist/assets/bpmn-font/font/bpmn.woff
readme "$dest" bpmn-js "$(node -p "require('$pkg/package.json').version")"

# --- dmn-js: modeller for the decision tables ---
pkg="$(fetch dmn-js "$DMN_JS_VERSION")"
dest="$here/dmn-js"
rm -rf "$dest"; mkdir -p "$dest"
copy "$pkg" "$dest" LICENSE \
  dist/dmn-modeler.production.min.js \
  dist/assets/diagram-js.css \
  dist/assets/dmn-js-shared.css \
  dist/assets/dmn-js-drd.css \
  dist/assets/dmn-js-decision-table.css \
  dist/assets/dmn-js-decision-table-controls.css \
  dist/assets/dmn-js-literal-expression.css \
  dist/assets/dmn-js-boxed-expression.css \
  dist/assets/dmn-js-boxed-expression-controls.css \
  dist/assets/dmn-font/css/dmn.css \
  dist/assets/dmn-font/font/dmn.woff2 \
  dist/assets/dmn-font/font/dmn.woff
readme "$dest" dmn-js "$(node -p "require('$pkg/package.json').version")"

echo "bpmn-js $(node -p "require('$work/bpmn-js/package/package.json').version")"
echo "dmn-js  $(node -p "require('$work/dmn-js/package/package.json').version")"
du -sh "$here/bpmn-js" "$here/dmn-js"
