#!/usr/bin/env bash
# Checks the packages as a user gets them: packs the solution into a local folder, installs the fastvideo-onnx tool from
# it (--version, convert of the tiny model, generate), then builds a new console project that references the packed
# FastVideo.Onnx.Runtime and Core plus Microsoft.ML.OnnxRuntime (CPU) and runs the README's "From C#" snippet, taken
# from README.md as written with only the model path replaced, on the CPU. Exit 0 when every step worked.
#   build/check-packages.sh [WORK_DIR]     (default: a temporary folder, removed at the end)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -ge 1 ]]; then work=$(mkdir -p "$1" && cd "$1" && pwd); keep=true; else work=$(mktemp -d); keep=false; fi
$keep || trap 'rm -rf "$work"' EXIT
ort=$(sed -nE 's#.*<OrtVersion>(.*)</OrtVersion>.*#\1#p' "$root/Directory.Build.props")
version=$(sed -nE 's#.*<Version>(.*)</Version>.*#\1#p' "$root/Directory.Build.props")
step() { echo "== $*"; }

step "pack into $work/packages"
rm -rf "$work/packages"
dotnet pack "$root/FastVideo.Onnx.sln" -c Release -o "$work/packages" -nologo -v:q -clp:NoSummary
ls -l "$work/packages"

# A package version already in the machine's package cache would be used instead of the one just packed: forget ours.
cache=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: //')
rm -rf "$cache"/fastvideo.onnx.*

step "install the tool"
rm -rf "$work/tool"
dotnet tool install --tool-path "$work/tool" --add-source "$work/packages" --version "$version" FastVideo.Onnx.Cli
"$work/tool/fastvideo-onnx" --version
rm -rf "$work/model"
"$work/tool/fastvideo-onnx" convert "$root/models/tiny/wan-t2v-tiny" --output "$work/model"
"$work/tool/fastvideo-onnx" generate --model "$work/model" --prompt "A red fox runs through fresh snow" --seed 1 --output "$work/tool-video.mp4"

step "a console project with the packed runtime and Microsoft.ML.OnnxRuntime $ort"
rm -rf "$work/app"
mkdir -p "$work/app"
cat >"$work/app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="fastvideo-onnx-local" value="$work/packages" />
  </packageSources>
</configuration>
EOF
(cd "$work/app" && dotnet new console --framework net10.0 --name App --output . >/dev/null)
(cd "$work/app" && dotnet add package FastVideo.Onnx.Runtime --version "$version" >/dev/null &&
  dotnet add package FastVideo.Onnx.Core --version "$version" >/dev/null &&
  dotnet add package Microsoft.ML.OnnxRuntime --version "$ort" >/dev/null)

# The snippet: the csharp block of README.md's "From C#" section, with the converted tiny model as its model folder.
awk '/^### From C#/{s=1} s&&/^```csharp/{c=1;next} c&&/^```/{exit} c{print}' "$root/README.md" >"$work/app/Program.cs"
grep -q 'VideoGenerator.FromPretrained("wan13b-onnx"' "$work/app/Program.cs" ||
  { echo "error: README.md's From C# snippet no longer loads \"wan13b-onnx\"; update this script" >&2; exit 1; }
sed -i "s#\"wan13b-onnx\"#\"$work/model\"#" "$work/app/Program.cs"

step "run the snippet on the CPU"
(cd "$work/app" && rm -f cat.mp4 cat.avi && dotnet run -c Release)
video=$(ls "$work/app"/cat.mp4 "$work/app"/cat.avi 2>/dev/null | head -1 || true)
[[ -s "$video" ]] || { echo "error: the snippet wrote no video" >&2; exit 1; }
echo "ok: the packed tool and the README snippet both generated a video ($(basename "$video"), $(stat -c %s "$video") bytes)"
