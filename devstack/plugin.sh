#!/bin/bash
# devstack plugin entry point for the Block Storage API: devstack sources
# this file at each phase with the phase in $1 and $2.

# DEST and the helper functions below come from devstack.
# shellcheck disable=SC2153 source=devstack/lib/cinder
source "$DEST/cinder/devstack/lib/cinder"

# c-api is the API; c-sch and c-vol run cinder-scheduler and cinder-volume
# when devstack runs RabbitMQ (see lib/cinder).
if is_service_enabled c-api c-sch c-vol; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing the Block Storage API ($CINDER_DEPLOY_MODE)"
        install_cinder
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring the Block Storage API"
        configure_cinder
        if is_service_enabled c-api; then
            create_cinder_accounts
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting the Block Storage API"
        if is_service_enabled c-api; then
            init_cinder
        fi
        start_cinder
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_cinder
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_cinder
    fi
fi
