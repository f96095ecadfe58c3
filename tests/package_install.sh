#!/usr/bin/env bash
# The .deb as a user gets it: built by CPack, checked by lintian, installed with apt into a
# clean Debian root (debootstrap minbase), where its Depends alone must bring LibTorch, Qt and
# OpenBLAS; then run there: --version, a tiny headless init + train + respond, the GUI on the
# offscreen platform. The desktop entry and AppStream file are validated as installed. This
# machine's own packages are left alone. The bare root and apt's downloads are cached in
# ~/.cache/sft-studio/clean-root, so later runs skip debootstrap and the downloads.
# Needs root or password-less sudo (debootstrap, chroot) and Debian's archive; exits 77
# (CTest: skipped) without root, and on systems other than Debian.
#   package_install.sh BUILD_DIR SHARED_DIR APP_ID
set -euo pipefail
build=$1 shared=$2 app_id=$3
start=$SECONDS

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $* ($((SECONDS - start)) s)"; }

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  skip "building a clean root needs root or password-less sudo"
fi
as_root() { "${sudo[@]}" "$@"; }
# shellcheck source=/dev/null
. /etc/os-release
[ "${ID:-}" = debian ] || skip "the clean root comes from Debian's archive; this system is ${ID:-unknown}"
[ -f "$shared/data/instruction-data.json" ] || skip "$shared/data is missing"
for tool in cpack lintian desktop-file-validate appstreamcli dpkg-shlibdeps debootstrap unshare python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (./studio test installs it)"
done
as_root unshare --mount true 2>/dev/null || skip "no mount namespaces here (a container without CAP_SYS_ADMIN?)"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/sft-studio/clean-root
base=$cache/$VERSION_CODENAME-minbase.tar
mkdir -p "$cache/archives"
work=$(mktemp -d)
root=$work/root
# Mounts live in a private namespace per command (unshare), so none outlives it and removing
# the root can only delete the root.
trap 'as_root rm -rf --one-file-system "$work"' EXIT
in_root() {
  as_root unshare --mount --fork sh -c \
    'mount -t proc proc "$1/proc" && mount --bind "$2" "$1/var/cache/apt/archives" && shift 2 && exec chroot "$@"' \
    sh "$root" "$cache/archives" "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

step "package"
cmake --build "$build" --target sft-studio sft-studio-package-files >/dev/null
cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(echo "$work"/pkg/sft-studio_*.deb)
[ -f "$deb" ] || fail "cpack wrote no sft-studio_*.deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends

step "lintian"
lintian --fail-on error "$deb" | tee "$work/lintian.txt" || fail "lintian reports errors"
echo "lintian: $(grep -c '^E: ' "$work/lintian.txt") errors, $(grep -c '^W: ' "$work/lintian.txt") warnings," \
     "$(grep -c '^I: ' "$work/lintian.txt") info"

if [ -f "$base" ]; then
  step "clean $VERSION_CODENAME root from $base"
  as_root mkdir "$root"
  as_root tar -C "$root" -xf "$base"
else
  step "clean $VERSION_CODENAME root: debootstrap (cached afterwards in $cache)"
  as_root debootstrap --variant=minbase "$VERSION_CODENAME" "$root" http://deb.debian.org/debian \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
  as_root tar -C "$root" -cf "$base.part" . && as_root mv "$base.part" "$base"
fi
# A throwaway root needs no fsync after every file dpkg writes.
echo force-unsafe-io | as_root tee "$root/etc/dpkg/dpkg.cfg.d/unsafe-io" >/dev/null
as_root tee "$root/etc/apt/sources.list" >/dev/null <<EOF
deb http://deb.debian.org/debian $VERSION_CODENAME main
deb http://deb.debian.org/debian $VERSION_CODENAME-updates main
deb http://deb.debian.org/debian-security $VERSION_CODENAME-security main
EOF

step "apt-get install ./$(basename "$deb") in the clean root"
as_root mkdir -p "$root/tmp/work"
as_root cp "$deb" "$root/tmp/work/"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/tmp/work/$(basename "$deb")" >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt-get install"; }
grep -E "newly installed" "$work/apt.log"

step "sft-studio --version"
in_root /usr/bin/sft-studio --version | tee "$work/version.txt"
for line in "^SFT Studio [0-9.]+ \(commit [0-9a-z]+\)$" "^LibTorch [0-9]" "^Qt 6\." "^BLAS /.*openblas" "^Threads [0-9]+$"; do
  grep -Eq "$line" "$work/version.txt" || fail "--version lacks a line matching $line"
done

step "desktop entry, AppStream, icons, MIME type, manual page"
desktop-file-validate "$root/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate"
for icon in scalable/apps/sft-studio.svg 16x16/apps/sft-studio.png 48x48/apps/sft-studio.png 256x256/apps/sft-studio.png; do
  [ -s "$root/usr/share/icons/hicolor/$icon" ] || fail "no icon $icon"
done
grep -q "application/jsonl:\*\.jsonl" "$root/usr/share/mime/globs2" || fail "*.jsonl is not registered as application/jsonl"
# Through a file: grep -q leaving a pipe early would kill zcat with SIGPIPE, which pipefail reports.
zcat "$root/usr/share/man/man1/sft-studio.1.gz" >"$work/sft-studio.1"
grep -q '^\.SS train$' "$work/sft-studio.1" || fail "the manual page has no train section"
for image in $(grep -o '[^/]*\.png</image>' "$root/usr/share/metainfo/$app_id.metainfo.xml" | sed 's#</image>##'); do
  [ -f "$(dirname "$0")/../docs/screenshots/$image" ] || fail "the AppStream screenshot $image is not in docs/screenshots"
done

step "headless init, train, respond"
python3 - "$shared/data/instruction-data.json" "$work/data.json" <<'EOF'
import json, sys
json.dump(json.load(open(sys.argv[1]))[:40], open(sys.argv[2], "w"))
EOF
as_root cp -r "$work/data.json" "$shared/data/gpt2-tokenizer" "$root/tmp/work/"
in_root sft-studio init --config tiny --seed 1 --tokenizer /tmp/work/gpt2-tokenizer --out /tmp/work/model
in_root sft-studio train --model /tmp/work/model --data /tmp/work/data.json --out /tmp/work/run --max-steps 2 --eval-iter 1
in_root sft-studio respond --model /tmp/work/run/checkpoints/final --data /tmp/work/data.json --max-new-tokens 4 \
  --out /tmp/work/responses.json
python3 - "$root/tmp/work/responses.json" <<'EOF' || fail "respond wrote no answers"
import json, sys
answers = json.load(open(sys.argv[1]))
assert len(answers) == 4 and all("model_response" in a for a in answers), answers
EOF

step "the GUI, offscreen, opening a dataset"
rc=0
in_root env QT_QPA_PLATFORM=offscreen timeout 8 /usr/bin/sft-studio /tmp/work/data.json >"$work/gui.log" 2>&1 || rc=$?
[ "$rc" -eq 124 ] || { cat "$work/gui.log"; fail "the GUI ended with status $rc before 8 s"; }
echo "still running after 8 s"
step "passed"
