#!/usr/bin/env bash
# Makes the repository's test set of recorded prompts with sox (issue 12
# section 3): every prompt key in Tibetan (espeak-ng has no Tibetan voice, so
# this is the path a county takes) and one in Simplified Chinese (a recording
# takes precedence over the synthesized prompt). Each is a short two-tone
# chime, 16 kHz 16-bit mono, its pitch set by the key's position, so the
# files differ and `nongbao prompts import` accepts them. Deterministic:
# running it again writes the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=kiosk-ui/prompts/recorded-test
keys=$(node --import tsx -e "import('@nongbao/kiosk-ui/prompt-keys').then((m) => console.log(m.PROMPT_KEYS.join(' ')))")
rm -rf "$out"
mkdir -p "$out/bo" "$out/zh-Hans"
i=0
for key in $keys; do
  f1=$((330 + i * 20)); f2=$((440 + i * 20))
  sox -n -r 16000 -b 16 -c 1 -D "$out/bo/$key.wav" synth 0.25 sine "$f1" synth 0.25 sine "$f2" : synth 0.25 sine "$f2" fade 0 0.25 0.05 vol 0.5
  i=$((i + 1))
done
sox -n -r 16000 -b 16 -c 1 -D "$out/zh-Hans/screen.idle.wav" synth 0.6 sine 523 fade 0 0.6 0.1 vol 0.5
echo "wrote $(find "$out" -name '*.wav' | wc -l) prompts into $out" >&2
