#!/usr/bin/env bash
# Runs DynamoDB Local, the reference Dynalog is compared with, in the foreground:
#
#   scripts/dynamodb-local.sh [PORT]        (default port 8011, clear of `dynalog dev --nodes 3`: 8000-8002)
#
# The first run fetches com.amazonaws:DynamoDBLocal and its dependencies from Maven Central with
# Maven (the dynamodb-local module) into dynamodb-local/target/lib-VERSION; later runs start at
# once. Tables live in memory only (-inMemory): every start is empty.
#
# Environment: DYNAMODB_LOCAL_VERSION (default 2.6.1), DYNAMODB_LOCAL_JAVA_OPTS (extra JVM options).
# Clients need an alphanumeric access key id (any secret and region work).
set -euo pipefail

port="${1:-8011}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
  echo "usage: $0 [PORT]   (PORT: 1..65535, default 8011)" >&2
  exit 2
fi
version="${DYNAMODB_LOCAL_VERSION:-2.6.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/dynamodb-local/target"
lib="$dir/lib-$version"

if [[ -x "$root/mvnw" ]]; then
  mvn=("$root/mvnw")
else
  mvn=(mvn)
fi

if [[ ! -f "$lib/DynamoDBLocal-$version.jar" ]]; then
  echo "Fetching DynamoDB Local $version and its dependencies into $lib ..." >&2
  # The dynamodb-local module (the differential tests' reference too) copies them into its lib
  # directory; only a complete copy counts as fetched.
  rm -rf "$lib" "$dir/lib"
  "${mvn[@]}" -B -q -f "$root/dynamodb-local/pom.xml" generate-resources -Ddynamodb-local.version="$version"
  cp -r "$dir/lib" "$lib.partial" && mv "$lib.partial" "$lib"
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64 | Linux-amd64) native_glob="libsqlite4java-linux-amd64-*.so" ;;
  Linux-aarch64 | Linux-arm64) native_glob="libsqlite4java-linux-aarch64-*.so" ;;
  Darwin-*) native_glob="libsqlite4java-osx-*.dylib" ;;
  *) native_glob="" ;;
esac
native=""
if [[ -n "$native_glob" ]]; then
  native="$(find "$lib" -maxdepth 1 -name "$native_glob" -print -quit)"
fi
if [[ -z "$native" ]]; then
  echo "No sqlite4java native library for $(uname -s) $(uname -m) in $lib" >&2
  exit 1
fi

echo "DynamoDB Local $version on http://localhost:$port (in memory; native library $(basename "$native"))" >&2
# DynamoDB Local writes dynamodb-local-metadata.json into its working directory: keep it in target.
cd "$dir"
# shellcheck disable=SC2086 # DYNAMODB_LOCAL_JAVA_OPTS is a list of options
exec java ${DYNAMODB_LOCAL_JAVA_OPTS:-} -Djava.library.path="$lib" -cp "$lib/*" \
  com.amazonaws.services.dynamodbv2.local.main.ServerRunner -inMemory -port "$port" -disableTelemetry
