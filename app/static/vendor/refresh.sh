#!/usr/bin/env bash
# Re-create app/static/vendor/{bpmn-js,dmn-js} from the npm registry (whichever registry
# npm is configured to use). Only the files the studio loads are kept: the prebuilt UMD
# bundles, their CSS and web fonts, and each package's LICENSE.
#
#   app/static/vendor/refresh.sh                 # the pinned versions below
#   BPMN_JS_VERSION=18.31.1 DMN_JS_VERSION=17.10.2 app/static/vendor/refresh.sh
#   PACKAGES=axe-core app/static/vendor/refresh.sh   # only some of them
#
# axe-core (the accessibility checker the browser tests run on every page) is kept as its
# minified build and LICENSE; the app itself never loads it.
set -euo pipefail

BPMN_JS_VERSION="${BPMN_JS_VERSION:-18.31.1}"
DMN_JS_VERSION="${DMN_JS_VERSION:-17.10.2}"
AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"
PACKAGES="${PACKAGES:-bpmn-js dmn-js axe-core}"

wanted() { [[ " $PACKAGES " == *" $1 "* ]]; }

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
if wanted bpmn-js; then
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
echo "bpmn-js $(node -p "require('$pkg/package.json').version")"
fi

# --- dmn-js: modeller for the decision tables ---
if wanted dmn-js; then
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
echo "dmn-js  $(node -p "require('$pkg/package.json').version")"
fi

# --- axe-core: accessibility checks in the browser tests ---
if wanted axe-core; then
pkg="$(fetch axe-core "$AXE_CORE_VERSION")"
dest="$here/axe-core"
rm -rf "$dest"; mkdir -p "$dest"
copy "$pkg" "$dest" LICENSE axe.min.js
readme "$dest" axe-core "$(node -p "require('$pkg/package.json').version")"
echo "axe-core $(node -p "require('$pkg/package.json').version")"
fi

du -sh "$here"/*/
