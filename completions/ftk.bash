# SPDX-License-Identifier: GPL-2.0-only
# bash completion for ftk(8): the views, each view's options (`ftk list options VIEW`: the
# parser's own tables) and their values: events for
# -e/--event from the running kernel (`ftk list events`), kernel functions for graph
# (`ftk list functions`), disks for --disk, PIDs, users, backends (`ftk list backends VIEW`),
# files. Lists that read tracefs need root (or a group an admin gave read access); for other
# users they complete nothing, silently.

# The options of view $2 of ftk $1, one "-x --long ARG" per line (the parser's own tables).
_ftk_options()
{
	"$1" list options "$2" 2>/dev/null
}

# The value name (ARG) option $3 of view $2 takes, empty for a flag.
_ftk_option_arg()
{
	local line w
	while read -r line; do
		for w in $line; do
			if [[ $w == "$3" ]]; then
				w=${line##* }
				[[ $w == -* ]] || printf '%s\n' "$w"
				return
			fi
		done
	done < <(_ftk_options "$1" "$2")
}

_ftk()
{
	local cur prev words cword
	# bash-completion's helper keeps "sys:event" one word (it reads COMP_LINE, which a
	# direct call such as the package test's does not set).
	if [[ -n ${COMP_LINE-} ]] && declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n : cur prev words cword
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	local ftk=${words[0]} view="" i
	COMPREPLY=()

	if ((cword == 1)); then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$ftk" list views 2>/dev/null | cut -d' ' -f1) help" -- "$cur"))
		fi
		return 0
	fi
	view=${words[1]}
	# After "--": the command to run.
	for ((i = 2; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			if declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			else
				COMPREPLY=($(compgen -c -- "$cur"))
			fi
			return 0
		fi
	done

	local arg=""
	[[ $prev == -* ]] && arg=$(_ftk_option_arg "$ftk" "$view" "$prev")
	if [[ -n $arg ]]; then
		case $prev/$arg in
		*/EVENT | --event/* | -e/*)
			COMPREPLY=($(compgen -W "$("$ftk" list events "${cur}*" 2>/dev/null)" -- "$cur")) ;;
		*/DISK | --disk/*)
			COMPREPLY=($(compgen -W "$(ls /sys/block 2>/dev/null)" -- "$cur")) ;;
		*/PID* | --pid/* | --tid/*)
			if declare -F _pids >/dev/null; then _pids; else
				COMPREPLY=($(compgen -W "$(ls /proc | grep '^[0-9]')" -- "$cur"))
			fi ;;
		*/USER | --uid/*)
			COMPREPLY=($(compgen -u -- "$cur")) ;;
		--backend/*)
			COMPREPLY=($(compgen -W "$("$ftk" list backends "$view" 2>/dev/null |
				cut -d' ' -f1)" -- "$cur")) ;;
		--notrace/* | */FUNC)
			COMPREPLY=($(compgen -W "$("$ftk" list functions "${cur}*" 2>/dev/null |
				cut -d' ' -f1)" -- "$cur")) ;;
		--format/*)
			COMPREPLY=($(compgen -W 'text json chrome' -- "$cur")) ;;
		--uprobe/* | */PATH | */FILE)
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac
		declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
		return 0
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ftk_options "$ftk" "$view" | tr ' ' '\n' | grep '^-')" -- "$cur"))
		return 0
	fi

	# Positional arguments.
	local pos=() w skip=""
	for ((i = 2; i < cword; i++)); do
		w=${words[i]}
		if [[ -n $skip ]]; then skip=""; continue; fi
		if [[ $w == -* ]]; then
			[[ -n $(_ftk_option_arg "$ftk" "$view" "$w") ]] && skip=1
			continue
		fi
		pos+=("$w")
	done
	case $view in
	graph)
		COMPREPLY=($(compgen -W "$("$ftk" list functions "${cur}*" 2>/dev/null |
			cut -d' ' -f1)" -- "$cur")) ;;
	help)
		((${#pos[@]} == 0)) &&
			COMPREPLY=($(compgen -W "$("$ftk" list views 2>/dev/null | cut -d' ' -f1)" -- "$cur")) ;;
	list)
		case ${#pos[@]}/${pos[0]:-} in
		0/*) COMPREPLY=($(compgen -W 'events functions tracers uprobe-symbols views options backends' -- "$cur")) ;;
		1/events) COMPREPLY=($(compgen -W "$("$ftk" list events "${cur}*" 2>/dev/null)" -- "$cur")) ;;
		1/uprobe-symbols) COMPREPLY=($(compgen -f -- "$cur")) ;;
		1/options | 1/backends) COMPREPLY=($(compgen -W "$("$ftk" list views 2>/dev/null | cut -d' ' -f1)" -- "$cur")) ;;
		2/uprobe-symbols)
			COMPREPLY=($(compgen -W "$("$ftk" list uprobe-symbols "${pos[1]}" "${cur}*" 2>/dev/null)" -- "$cur")) ;;
		esac ;;
	esac
	declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
	return 0
}
complete -F _ftk ftk
