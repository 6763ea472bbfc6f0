# dmpread.bash - bash completion for dmpread(1): commands, their options, folders after
# --symbols and --images, dumps (.dmp, .dmp.gz, or any file) and .sym files elsewhere.
# Installed as share/bash-completion/completions/dmpread; or source it from ~/.bashrc.
# SPDX-License-Identifier: MIT

_dmpread()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="info threads modules memory-info streams stream ranges linux stack symbolize help"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --symbols | --images | --thread | --max-frames | --max-heap) ((i++)) ;;
        -*) ;;
        *)
            case " $commands " in
            *" ${words[i]} "*) command=${words[i]} ;;
            esac
            break
            ;;
        esac
    done

    case $prev in
    --symbols | --images)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
        ;;
    --thread | --max-frames | --max-heap)
        return
        ;;
    esac

    local opts
    case $command in
    stack)
        opts="--symbols --images --thread --all --registers --breakpad --no-images
              --stack-only --max-frames --json --quiet"
        ;;
    symbolize) opts="--json" ;;
    stream) opts="--raw --hex --max-heap=" ;;
    "") opts="--raw --json --squeeze --words --quiet --max-heap= --help --version" ;;
    *) opts="--json --quiet --max-heap=" ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    # stream FILE TYPE: after the file, the stream names `dmpread streams` prints.
    if [[ $command == stream ]]; then
        local operands=0
        for ((i = 1; i < cword; i++)); do
            case ${words[i]} in
            -* | stream) ;;
            *) ((operands++)) ;;
            esac
        done
        if ((operands >= 1)); then
            mapfile -t COMPREPLY < <(compgen -W "ThreadList ModuleList MemoryList Exception
                SystemInfo ThreadExList Memory64List CommentStreamA CommentStreamW HandleData
                UnloadedModuleList MiscInfo MemoryInfoList ThreadInfoList ThreadNames
                BreakpadInfo LinuxCpuInfo LinuxProcStatus LinuxLsbRelease LinuxCmdLine
                LinuxEnviron LinuxAuxv LinuxMaps LinuxDsoDebug CrashpadInfo" -- "$cur")
            return
        fi
    fi
    if [[ -z $command && $cword -eq 1 ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    fi
    # Files: a symbol file for symbolize, else a dump (any file: dumps have many names).
    local files
    mapfile -t files < <(compgen -f -- "$cur")
    COMPREPLY+=("${files[@]}")
    compopt -o filenames 2>/dev/null
} &&
    complete -F _dmpread dmpread
