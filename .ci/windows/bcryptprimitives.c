/* Test-only stand-in for Windows' bcryptprimitives.dll, which wine 8 lacks. The Go runtime
 * (>= 1.24) takes its random bytes from ProcessPrng there; this forwards to BCryptGenRandom,
 * which wine has. Built with mingw by .ci/windows into the test's wine prefix only: never
 * shipped (real Windows has the DLL). */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
