import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where downloaded data sets are kept: $SLOPE_CACHE_DIR when set; otherwise the platform's cache
 * folder: $XDG_CACHE_HOME/slope or ~/.cache/slope on Linux, ~/Library/Caches/slope on macOS,
 * %LOCALAPPDATA%\slope\Cache on Windows.
 */
export function defaultCacheDir(
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  if (env.SLOPE_CACHE_DIR) return env.SLOPE_CACHE_DIR;
  if (platform === "win32") return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "slope", "Cache");
  if (platform === "darwin") return join(home, "Library", "Caches", "slope");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "slope");
}
