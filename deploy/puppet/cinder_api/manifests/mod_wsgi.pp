# The mod_wsgi mode: Apache with etc/cinder/apache-cinder-api.conf (daemon
# mode, python-home /opt/cinder, the script in /var/www/cgi-bin/cinder) and
# etc/cinder/apache-mpm-event.conf, as shipped. mod_wsgi is built from
# PyPI for the Python of the virtual environment, with Debian's apache2-dev.
class cinder_api::mod_wsgi (
  String $source_dir,
  String $venv,
) {
  package { ['apache2', 'apache2-dev']:
    ensure => installed,
  }

  exec { 'cinder-mod-wsgi-install':
    command => "${venv}/bin/pip install mod_wsgi",
    creates => "${venv}/bin/mod_wsgi-express",
    path    => ['/usr/bin', '/bin'],
    timeout => 1800,
    require => [Exec['cinder-install'], Package['apache2-dev']],
  }

  # The module mod_wsgi built, loaded as Debian loads modules.
  exec { 'cinder-mod-wsgi-load':
    command => "${venv}/bin/mod_wsgi-express module-config > /etc/apache2/mods-available/wsgi_cinder.load",
    creates => '/etc/apache2/mods-available/wsgi_cinder.load',
    path    => ['/usr/bin', '/bin'],
    require => [Exec['cinder-mod-wsgi-install'], Package['apache2']],
  }

  exec { 'cinder-mod-wsgi-enable':
    command => 'a2enmod wsgi_cinder',
    creates => '/etc/apache2/mods-enabled/wsgi_cinder.load',
    path    => ['/usr/sbin', '/usr/bin', '/bin'],
    require => Exec['cinder-mod-wsgi-load'],
    notify  => Service['apache2'],
  }

  file { ['/var/www/cgi-bin', '/var/www/cgi-bin/cinder']:
    ensure => directory,
    mode   => '0755',
  }

  # cinder's own cinder/wsgi/api.py is the WSGI script.
  file { '/var/www/cgi-bin/cinder/cinder-api':
    ensure  => file,
    source  => "${source_dir}/cinder/wsgi/api.py",
    mode    => '0644',
    require => File['/var/www/cgi-bin/cinder'],
    notify  => Service['apache2'],
  }

  # Apache's event MPM sized for the API, server-wide. ServerLimit and
  # ThreadLimit change only on a full restart, which this one notifies.
  file { '/etc/apache2/conf-available/cinder-mpm-event.conf':
    ensure  => file,
    source  => "${source_dir}/etc/cinder/apache-mpm-event.conf",
    mode    => '0644',
    require => Package['apache2'],
  }

  exec { 'cinder-mpm-event-enable':
    command => 'a2enconf cinder-mpm-event',
    creates => '/etc/apache2/conf-enabled/cinder-mpm-event.conf',
    path    => ['/usr/sbin', '/usr/bin', '/bin'],
    require => File['/etc/apache2/conf-available/cinder-mpm-event.conf'],
    notify  => Exec['cinder-apache-restart'],
  }

  exec { 'cinder-apache-restart':
    command     => 'systemctl restart apache2',
    path        => ['/usr/bin', '/bin'],
    refreshonly => true,
    subscribe   => File['/etc/apache2/conf-available/cinder-mpm-event.conf'],
    require     => Service['apache2'],
  }

  file { '/etc/apache2/sites-available/cinder-api.conf':
    ensure  => file,
    source  => "${source_dir}/etc/cinder/apache-cinder-api.conf",
    mode    => '0644',
    require => Package['apache2'],
  }

  exec { 'cinder-api-site-enable':
    command => 'a2ensite cinder-api',
    creates => '/etc/apache2/sites-enabled/cinder-api.conf',
    path    => ['/usr/sbin', '/usr/bin', '/bin'],
    require => File['/etc/apache2/sites-available/cinder-api.conf'],
    notify  => Service['apache2'],
  }

  service { 'cinder-api':
    ensure => stopped,
    enable => false,
    before => Service['apache2'],
  }

  # cinder.conf and api-paste.ini changes: restart cinder's daemon
  # processes gracefully; they load the configuration again. (apachectl
  # graceful can answer 503 meanwhile: doc/source/install/mod_wsgi.rst.)
  exec { 'cinder-api-daemons-reload':
    command     => "pkill -USR1 -f '^\\(wsgi:cinder-api\\)'",
    path        => ['/usr/bin', '/bin'],
    refreshonly => true,
    returns     => [0, 1],
    subscribe   => File["${cinder_api::config_dir}/api-paste.ini"],
  }

  # Apache's own configuration changes: a graceful restart.
  service { 'apache2':
    ensure     => running,
    enable     => true,
    hasrestart => true,
    restart    => 'apachectl graceful',
    subscribe  => File['/etc/apache2/sites-available/cinder-api.conf'],
  }
}
