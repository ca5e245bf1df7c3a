#!/usr/bin/env bash
# Regenerates the demo store under storage/ (committed; run this only to change it).
# Needs Debian's imagemagick and libimage-exiftool-perl (scripts/setup.sh installs both).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../storage"

# `convert` on PATH may be a stand-in; the real ImageMagick lives at Debian's path.
convert=/usr/bin/convert
font=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || true)
font_args=()
[ -n "$font" ] && font_args=(-font "$font")

mkdir -p photos docs

# A 640x480 cartoon cat on a sky gradient: big, distinct shapes so resizes and crops are easy to judge by eye.
"$convert" -size 640x480 gradient:'#87CEEB'-'#F4E3C1' \
    -fill '#3b7d3b' -draw 'rectangle 0,400 640,480' \
    -fill '#FFD54F' -draw 'circle 560,80 600,80' \
    -fill '#E07B39' -stroke '#5a2e0e' -strokewidth 3 \
    -draw 'ellipse 440,398 95,17 0,360' \
    -draw 'polygon 220,150 250,60 290,135' -draw 'polygon 350,135 390,60 420,150' \
    -draw 'ellipse 320,330 110,90 0,360' \
    -draw 'circle 320,200 320,95' \
    -fill '#F9C9A5' -stroke none -draw 'polygon 235,140 252,82 280,132' -draw 'polygon 360,132 388,82 405,140' \
    -fill white -stroke '#5a2e0e' -strokewidth 2 -draw 'ellipse 280,185 22,26 0,360' \
    -draw 'ellipse 360,185 22,26 0,360' \
    -fill '#2e7d32' -stroke none -draw 'ellipse 283,190 10,16 0,360' -draw 'ellipse 363,190 10,16 0,360' \
    -fill black -draw 'ellipse 283,190 3,12 0,360' -draw 'ellipse 363,190 3,12 0,360' \
    -fill '#D8557A' -draw 'polygon 308,225 332,225 320,240' \
    -stroke '#5a2e0e' -strokewidth 2 -fill none -draw 'line 320,240 320,255' \
    -draw 'arc 296,245 320,265 0,180' -draw 'arc 320,245 344,265 0,180' \
    -draw 'line 250,230 180,215' -draw 'line 250,240 178,245' \
    -draw 'line 390,230 460,215' -draw 'line 390,240 462,245' \
    -stroke none -fill '#333333' "${font_args[@]}" -pointsize 22 -annotate +20+460 'Refract demo' \
    -strip -sampling-factor 4:2:0 -quality 85 photos/cat.jpg

# Camera tags as a phone would write them, so `!exif` has something real to read (Eiffel Tower, 2024).
exiftool -q -overwrite_original \
    -Make=Canon -Model='Canon EOS R6' -Orientation#=1 \
    -DateTimeOriginal='2024:06:01 14:32:05' -CreateDate='2024:06:01 14:32:05' \
    -ExposureTime=1/250 -FNumber=5.6 -ISO=200 -FocalLength=35 -LensModel='RF35mm F1.8 MACRO IS STM' \
    -GPSLatitude=48.858222 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    -GPSAltitude=35 -GPSAltitudeRef=0 \
    -Artist='Refract demo' -Copyright='CC0' -ColorSpace#=1 \
    -XResolution=72 -YResolution=72 -ResolutionUnit=inches \
    photos/cat.jpg

# A 256x256 PNG whose background is fully transparent and whose ring is half transparent: shows alpha handling
# (format:jpeg needs a bg colour, format:webp keeps alpha).
"$convert" -size 256x256 xc:none \
    -fill '#1E88E5' -draw 'circle 128,128 128,16' \
    -fill '#FFFFFF80' -draw 'circle 128,128 128,60' \
    -fill '#FDD835' -draw 'polygon 128,70 145,115 192,115 154,142 168,188 128,160 88,188 102,142 64,115 111,115' \
    -depth 8 -define png:color-type=6 photos/logo.png

cat >docs/readme.txt <<'TEXT'
Welcome to Refract. This folder is a bucket named "docs", and this file is an object in it. Refract serves
objects the way Amazon S3 does, and it can also change them on the way out: add a suffix such as
"!translate:fr" to the address of a text file to read it in French, or "!resize:w=300" to the address of a
photo to get a smaller copy. The original file is never modified, and no copy is stored.
TEXT
