; Almanac's Windows installer (NSIS 3, makensis from Debian). Built by `make windows-installer`:
;   makensis -DSRC=dist/windows -DVERSION=v1.2.3 -DFILEVERSION=1.2.3.1 -DICON=...ico -DOUT=...exe
; Per-user: installs into %LocalAppData%\Programs\Almanac without administrator rights, puts a
; Start-menu shortcut, an "Apps & features" entry (HKCU) and bin\ on the user's PATH. Installing
; over an older version replaces the programs in place; the user's data (%AppData%\Almanac) is
; never touched, by the installer nor by the uninstaller, which says so.
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
SetCompressorDictSize 64 ; both programs share most bytes: one dictionary holds the pair
ManifestDPIAware true
RequestExecutionLevel user

!include LogicLib.nsh
!include WinMessages.nsh
!include StrFunc.nsh
${StrStr}
${UnStrRep}

!define APP "Almanac"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Almanac"
!define ENV_KEY "Environment"

Name "${APP}"
OutFile "${OUT}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APP} ${VERSION}"

VIProductVersion "${FILEVERSION}"
VIFileVersion "${FILEVERSION}"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} setup"
VIAddVersionKey "CompanyName" "${APP}"
VIAddVersionKey "LegalCopyright" "© ${APP}"

!ifdef SIGN_CMD
; make windows-sign: the uninstaller is written at build time and signed like the installer.
!uninstfinalize '${SIGN_CMD} "%1"' = 0
!endif

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "Almanac"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "${SRC}\Almanac.exe"
  SetOutPath "$INSTDIR\bin"
  File "${SRC}\bin\almanac.exe"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\Almanac.exe" "" "$INSTDIR\Almanac.exe" 0

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\Almanac.exe,0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" ${SIZE_KB}

  Call AddBinToPath
  DetailPrint "Your data lives in $APPDATA\${APP}; installing or upgrading never changes it."
SectionEnd

; AddBinToPath appends $INSTDIR\bin to the user's PATH once. A PATH longer than NSIS reads
; (1024 characters) is left alone rather than cut, and the details say how to add it by hand.
Function AddBinToPath
  ClearErrors
  ReadRegStr $0 HKCU "${ENV_KEY}" "Path"
  StrLen $1 $0
  ${If} $1 >= 1000
    DetailPrint "Your PATH is too long to change safely: add $INSTDIR\bin to it by hand to run almanac in a console."
    Return
  ${EndIf}
  ${StrStr} $2 ";$0;" ";$INSTDIR\bin;"
  ${If} $2 != ""
    Return
  ${EndIf}
  ${If} $0 == ""
    StrCpy $0 "$INSTDIR\bin"
  ${Else}
    StrCpy $0 "$0;$INSTDIR\bin"
  ${EndIf}
  WriteRegExpandStr HKCU "${ENV_KEY}" "Path" "$0"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
FunctionEnd

Function un.RemoveBinFromPath
  ReadRegStr $0 HKCU "${ENV_KEY}" "Path"
  StrLen $1 $0
  ${If} $1 >= 1000
    Return
  ${EndIf}
  ${UnStrRep} $0 ";$0;" ";$INSTDIR\bin;" ";"
  ; drop the separators added above
  StrCpy $0 $0 "" 1
  StrCpy $0 $0 -1
  ${If} $0 == ""
    DeleteRegValue HKCU "${ENV_KEY}" "Path"
  ${Else}
    WriteRegExpandStr HKCU "${ENV_KEY}" "Path" "$0"
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$INSTDIR\Almanac.exe"
  Delete "$INSTDIR\bin\almanac.exe"
  RMDir "$INSTDIR\bin"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  Call un.RemoveBinFromPath
  DeleteRegKey HKCU "${UNINST_KEY}"
  DetailPrint "Your data in $APPDATA\${APP} was kept: delete that folder to remove it too."
  MessageBox MB_OK|MB_ICONINFORMATION "Almanac was removed. Your data in $APPDATA\${APP} was kept: delete that folder to remove it too." /SD IDOK
SectionEnd
