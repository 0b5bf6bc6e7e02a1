# The uWSGI mode: etc/cinder/cinder-api-uwsgi.ini and
# etc/systemd/cinder-api-uwsgi.service as shipped (they already name
# /opt/cinder, /etc/cinder and /run/cinder), uWSGI from PyPI in the same
# virtual environment. Put nginx (etc/cinder/nginx-cinder-api.conf) or a
# load balancer in front.
class cinder_api::uwsgi (
  String $source_dir,
  String $venv,
  String $config_dir,
) {
  exec { 'cinder-uwsgi-install':
    command => "${venv}/bin/pip install -c ${source_dir}/upper-constraints.txt uwsgi",
    creates => "${venv}/bin/uwsgi",
    path    => ['/usr/bin', '/bin'],
    timeout => 1800,
    require => Exec['cinder-install'],
  }

  file { "${config_dir}/cinder-api-uwsgi.ini":
    ensure  => file,
    source  => "${source_dir}/etc/cinder/cinder-api-uwsgi.ini",
    owner   => 'root',
    group   => 'cinder',
    mode    => '0640',
    require => File[$config_dir],
    notify  => Service['cinder-api-uwsgi'],
  }

  file { '/etc/systemd/system/cinder-api-uwsgi.service':
    ensure => file,
    source => "${source_dir}/etc/systemd/cinder-api-uwsgi.service",
    mode   => '0644',
    notify => Exec['cinder-systemd-reload'],
  }

  exec { 'cinder-systemd-reload':
    command     => 'systemctl daemon-reload',
    path        => ['/usr/bin', '/bin'],
    refreshonly => true,
  }

  service { 'cinder-api':
    ensure => stopped,
    enable => false,
    before => Service['cinder-api-uwsgi'],
  }

  # cinder.conf and api-paste.ini changes: a graceful reload (SIGHUP)
  # makes every worker load them again.
  service { 'cinder-api-uwsgi':
    ensure     => running,
    enable     => true,
    hasrestart => true,
    restart    => 'systemctl reload cinder-api-uwsgi',
    subscribe  => File["${config_dir}/api-paste.ini"],
    require    => [Exec['cinder-uwsgi-install', 'cinder-systemd-reload']],
  }
}
