# cinder_api: the Block Storage API from a source checkout, in a virtual
# environment, run in the uWSGI or the mod_wsgi mode with the sample files
# the checkout ships in etc/ (doc/source/install/deployment-tools.rst).
#
#   class { 'cinder_api':
#     mode       => 'uwsgi',            # or 'mod_wsgi'
#     source_dir => '/opt/cinder/src',  # a checkout of this repository
#   }
#
# cinder.conf itself is the operator's: write it with the tool of your
# choice (its path is $config_dir/cinder.conf); this class only makes sure
# the directory exists and reloads the API when it changes.
class cinder_api (
  Enum['uwsgi', 'mod_wsgi'] $mode = 'uwsgi',
  String $source_dir = '/opt/cinder/src',
  String $venv = '/opt/cinder',
  String $config_dir = '/etc/cinder',
  String $python = '/usr/bin/python3',
) {
  group { 'cinder':
    ensure => present,
    system => true,
  }
  user { 'cinder':
    ensure     => present,
    gid        => 'cinder',
    home       => '/var/lib/cinder',
    managehome => false,
    shell      => '/usr/sbin/nologin',
    system     => true,
    require    => Group['cinder'],
  }

  file { [$config_dir, '/var/lib/cinder', '/var/log/cinder']:
    ensure  => directory,
    owner   => 'cinder',
    group   => 'cinder',
    mode    => '0750',
    require => User['cinder'],
  }

  package { ['python3-venv', 'build-essential', 'python3-dev']:
    ensure => installed,
  }

  exec { 'cinder-venv':
    command => "${python} -m venv ${venv}",
    creates => "${venv}/bin/python",
    path    => ['/usr/bin', '/bin'],
    require => Package['python3-venv'],
  }

  exec { 'cinder-install':
    command => "${venv}/bin/pip install -c ${source_dir}/upper-constraints.txt ${source_dir}",
    unless  => "${venv}/bin/python -c 'import cinder.wsgi.api' 2>/dev/null || ${venv}/bin/pip show cinder",
    path    => ['/usr/bin', '/bin'],
    timeout => 1800,
    require => [Exec['cinder-venv'], Package['build-essential', 'python3-dev']],
  }

  file { "${config_dir}/api-paste.ini":
    ensure  => file,
    source  => "${source_dir}/etc/cinder/api-paste.ini",
    owner   => 'root',
    group   => 'cinder',
    mode    => '0640',
    require => File[$config_dir],
  }

  file { '/etc/logrotate.d/cinder':
    ensure => file,
    source => "${source_dir}/etc/logrotate.d/cinder",
    mode   => '0644',
  }

  case $mode {
    'uwsgi': {
      class { 'cinder_api::uwsgi':
        source_dir => $source_dir,
        venv       => $venv,
        config_dir => $config_dir,
      }
    }
    'mod_wsgi': {
      class { 'cinder_api::mod_wsgi':
        source_dir => $source_dir,
        venv       => $venv,
      }
    }
    default: {
      fail("cinder_api: unknown mode ${mode}")
    }
  }
}
