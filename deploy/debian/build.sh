#!/bin/sh
# Assembles the Debian package from a built binary; `make deb` runs it from
# the repository root:
#
#   sh deploy/debian/build.sh BINARY VERSION OUTDIR
#
# Writes OUTDIR/aduan_VERSION_ARCH.deb (dpkg-deb, files owned by root) from
# deploy/ (the systemd units, with /usr/bin/aduan), deploy/debian/ (control,
# maintainer scripts, /etc/aduan/aduan.conf, copyright, the man page) and
# the guides. DEB_MAINTAINER overrides the Maintainer field.
set -eu
bin=$1
version=$2
out=$3
maintainer=${DEB_MAINTAINER:-aduan maintainers <aduan@example.org>}
arch=$(dpkg --print-architecture)
here=deploy/debian
work=$out/deb
pkg=$work/debian/aduan
doc=$pkg/usr/share/doc/aduan
# Reproducible: every file dated like the last commit.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

rm -rf "$work"
mkdir -p "$pkg/DEBIAN" "$doc/examples"
install -D -m 755 "$bin" "$pkg/usr/bin/aduan"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$pkg/usr/bin/aduan"
for unit in aduan.service aduan@.service; do
    mkdir -p "$pkg/lib/systemd/system"
    sed -e 's|/usr/local/bin/aduan|/usr/bin/aduan|g' \
        -e 's|^Description=.*|&\nDocumentation=man:aduan(1) file:/usr/share/doc/aduan/DEPLOY.md.gz|' \
        "deploy/$unit" >"$pkg/lib/systemd/system/$unit"
done
install -D -m 644 "$here/aduan.conf" "$pkg/etc/aduan/aduan.conf"
install -D -m 644 "$here/lintian-overrides" "$pkg/usr/share/lintian/overrides/aduan"

# The guides, compressed when larger than 4 kB (Debian policy 12.3).
for f in README.md docs/DEPLOY.md docs/OPERATOR.md docs/WHATSAPP.md docs/API.md docs/OPEN311.md \
         aduan.conf.example; do
    install -m 644 "$f" "$doc/$(basename "$f")"
done
install -m 644 deploy/nginx-single.conf deploy/nginx-scaled.conf "$doc/examples/"
for f in "$doc"/* "$doc"/examples/*; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 4096 ] && gzip -9n "$f"
done
{
    cat "$here/copyright"
    # The dashboard embeds these two from Debian's packages: their notices.
    for p in libjs-leaflet libjs-chart.js; do
        if [ -f "/usr/share/doc/$p/copyright" ]; then
            printf '\n%s\n\n' "---- $p (/usr/share/doc/$p/copyright) ----"
            cat "/usr/share/doc/$p/copyright"
        fi
    done
} >"$doc/copyright"
chmod 644 "$doc/copyright"
printf '%s\n\n  * %s\n\n -- %s  %s\n' "aduan ($version) unstable; urgency=medium" \
    "Built from the aduan source tree with make deb." "$maintainer" \
    "$(LC_ALL=C date -u -R -d "@$epoch")" | gzip -9n >"$doc/changelog.gz"
mkdir -p "$pkg/usr/share/man/man1"
gzip -9n <"$here/aduan.1" >"$pkg/usr/share/man/man1/aduan.1.gz"

# The control files.
for s in postinst prerm postrm; do
    install -m 755 "$here/$s" "$pkg/DEBIAN/$s"
done
echo /etc/aduan/aduan.conf >"$pkg/DEBIAN/conffiles"
printf 'Source: aduan\n\nPackage: aduan\nArchitecture: any\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O -edebian/aduan/usr/bin/aduan 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build.sh: dpkg-shlibdeps found no libraries" >&2; exit 1; }
find "$pkg" -type d -exec chmod 755 {} +
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@SIZE@|$size|" -e "s|@SHLIBS@|$shlibs|" "$here/control.in" >"$pkg/DEBIAN/control"
(cd "$pkg" && find usr lib -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) \
    >"$pkg/DEBIAN/md5sums"
chmod 644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$epoch" {} +
deb="$out/aduan_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
