# What `cmake --install` puts on a machine, and the Debian package of it: CPack's DEB generator,
# because the package is one binary plus generated files the build already makes, and debhelper
# would rebuild the whole tree (and its test suite) once more inside dpkg-buildpackage for nothing.
# lintian's expectations CPack does not meet by itself (copyright, the changelog of a native
# package, compressed
# man pages) are met here.
find_program(WINPORTS_HELP2MAN help2man)
find_program(WINPORTS_GO_MD2MAN go-md2man)
set(WINPORTS_GEN ${CMAKE_BINARY_DIR}/package)

# Man pages (scripts/manpages.sh: help2man from --help, go-md2man from docs/site-file.md).
if(WINPORTS_HELP2MAN AND WINPORTS_GO_MD2MAN)
  add_custom_command(
    OUTPUT ${WINPORTS_GEN}/man/man1/winports.1.gz
    COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/manpages.sh $<TARGET_FILE:winports_cli> ${CMAKE_SOURCE_DIR}
            ${WINPORTS_GEN}/man
    DEPENDS winports_cli ${CMAKE_SOURCE_DIR}/scripts/manpages.sh ${CMAKE_SOURCE_DIR}/docs/site-file.md
            ${CMAKE_SOURCE_DIR}/docs/ja/site-file.md
    COMMENT "Man pages from --help, docs/site-file.md and docs/ja/site-file.md"
    VERBATIM)
  set(WINPORTS_MAN_PAGES ${WINPORTS_GEN}/man/man1/winports.1.gz)
  install(DIRECTORY ${WINPORTS_GEN}/man/ DESTINATION share/man)
else()
  message(STATUS "help2man or go-md2man missing: no man pages (scripts/setup.sh installs them)")
endif()

# Shell completion, written by the binary itself (winports completion bash|zsh); the changelog as
# Debian keeps it.
add_custom_command(
  OUTPUT ${WINPORTS_GEN}/completion/winports ${WINPORTS_GEN}/completion/_winports ${WINPORTS_GEN}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${WINPORTS_GEN}/completion
  COMMAND sh -c "$0 completion bash > $1 && $0 completion zsh > $2" $<TARGET_FILE:winports_cli>
          ${WINPORTS_GEN}/completion/winports ${WINPORTS_GEN}/completion/_winports
  COMMAND sh -c "gzip -9n < $0 > $1" ${CMAKE_SOURCE_DIR}/packaging/changelog ${WINPORTS_GEN}/changelog.gz
  DEPENDS winports_cli ${CMAKE_SOURCE_DIR}/packaging/changelog
  COMMENT "Shell completion scripts"
  VERBATIM)
add_custom_target(package_files ALL DEPENDS ${WINPORTS_GEN}/completion/winports ${WINPORTS_MAN_PAGES})
install(FILES ${WINPORTS_GEN}/completion/winports DESTINATION share/bash-completion/completions)
install(FILES ${WINPORTS_GEN}/completion/_winports DESTINATION share/zsh/vendor-completions)

set(WINPORTS_DOC share/doc/winports)
install(FILES README.md README.ja.md ${WINPORTS_GEN}/changelog.gz packaging/copyright DESTINATION ${WINPORTS_DOC})
install(DIRECTORY docs/ DESTINATION ${WINPORTS_DOC}/docs FILES_MATCHING PATTERN "*.md" PATTERN "*.json"
        PATTERN "images" EXCLUDE)
install(DIRECTORY examples/ DESTINATION ${WINPORTS_DOC}/examples FILES_MATCHING PATTERN "*.yaml" PATTERN "*.sh"
        PATTERN "*.rules" PATTERN "*.reg" PATTERN "*.nft" PATTERN "*.json")
# The playbook that verifies from every zone at once (docs/vantage.md); ansible-core runs it.
install(DIRECTORY ansible/ DESTINATION share/winports/ansible FILES_MATCHING PATTERN "*.yml")

# The libraries loaded on demand (Graphviz for html, libxlsxwriter for xlsx, libpcap for analyze):
# dpkg-shlibdeps cannot see a dlopen, so they are Recommends, named by the package that holds each
# soname on the build machine.
set(WINPORTS_RECOMMENDS "")
foreach(soname ${WINPORTS_GVC_SONAME} ${WINPORTS_XLSXWRITER_SONAME} ${WINPORTS_PCAP_SONAME})
  execute_process(COMMAND dpkg -S "*/${soname}" OUTPUT_VARIABLE owner ERROR_QUIET)
  string(REGEX MATCH "^([^:]+)" package "${owner}")
  if(package)
    list(APPEND WINPORTS_RECOMMENDS ${package})
  endif()
endforeach()
list(JOIN WINPORTS_RECOMMENDS ", " WINPORTS_RECOMMENDS)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME winports)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "winports developers <winports@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Windows service ports: firewall plans, probes and audits from KB 832017")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "winports turns Microsoft's port reference for Windows (KB 832017) and the
roles networks run today into software: the flows a site of zones, hosts and
roles needs, written for nftables, iptables, Windows Firewall and Cisco ASA;
probes of those flows; captures and firewall logs held against the plan; and
audits of a firewall's real ruleset.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libyaml reads every site and catalog file: loaded on demand too, but a dependency, named the same way.
execute_process(COMMAND dpkg -S "*/${WINPORTS_YAML_SONAME}" OUTPUT_VARIABLE yaml_owner ERROR_QUIET)
string(REGEX MATCH "^([^:]+)" yaml_package "${yaml_owner}")
if(NOT yaml_package)
  message(FATAL_ERROR "no Debian package holds ${WINPORTS_YAML_SONAME}")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${yaml_package}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "${WINPORTS_RECOMMENDS}")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "ansible-core")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
