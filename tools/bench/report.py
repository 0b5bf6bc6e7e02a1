# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""The benchmark's results: tables, target ratios and plots.

Every ratio is taken between points of the same run, since absolute
numbers on a shared two-CPU machine move by tens of percent within the
hour.
"""

import math
import os
import time

from tools.bench import load

OURS_FOR_REFERENCE = ('uwsgi-module+rabbitmq', 'uwsgi-module')


def _fmt(value, digits=0):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    return '%.*f' % (digits, value)


def _by(rows, **match):
    return [row for row in rows
            if all(row[key] == value for key, value in match.items())]


def _peak(rows, target, scenario, database=None):
    points = [row for row in rows if row['target'] == target
              and row['scenario'] == scenario
              and (database is None or row['database'] == database)]
    return max((row['rate'] for row in points), default=None)


def _ratio(a, b):
    if not a or not b:
        return None
    return a / b


def targets_section(rows, targets, import_seconds):
    """The issue's targets, each as a ratio of this run's points."""
    lines = ['## Targets', '']
    lines += ['Import to ready (`import cinder.wsgi.api`, noauth, median of '
              '3): %.3f s.' % import_seconds, '']
    lines += ['| target | database | launch to serving s | worker RSS MB, '
              'warm / at the end | '
              'volume show / hello world (peak) | page of 100 from 10,000 '
              'vs from 100 (cost, worst concurrency) | errors at the top '
              'concurrency | busiest worker, get_volume at the top '
              'concurrency |', '| --- ' * 8 + '|']
    top = max((row['connections'] for row in rows), default=0)
    hello = {row['target']: row for row in targets if row['database'] == '-'}
    for info in targets:
        label, database = info['target'], info['database']
        if database == '-':
            continue
        mode = label.split('+')[0]
        show = _peak(rows, label, 'get_volume', database)
        ceiling = _peak(rows, mode, 'hello_world')
        share = _ratio(show, ceiling)
        costs = []
        for small in _by(rows, target=label, database=database,
                         scenario='list_volumes'):
            large = _by(rows, target=label, database=database,
                        scenario='list_volumes_10000',
                        connections=small['connections'])
            if large and large[0]['rate']:
                costs.append(small['rate'] / large[0]['rate'])
        errors = sum(row['errors'] for row in _by(
            rows, target=label, database=database, connections=top))
        hot = _by(rows, target=label, database=database,
                  scenario='get_volume', connections=top)
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
            label, database, _fmt(info['start_s'], 2),
            '%s / %s' % (_fmt(info.get('warm_rss_mb'), 1),
                         _fmt(info['rss_mb'], 1)),
            '%s %%' % _fmt(share * 100) if share else '-',
            '%sx' % _fmt(max(costs), 2) if costs else '-',
            errors if top else '-',
            '%s %%' % _fmt(hot[0]['hot']) if hot else '-'))
    for label in hello:
        lines.append('| %s (hello world) | - | %s | %s | | | | |' % (
            label, _fmt(hello[label]['start_s'], 2),
            _fmt(hello[label]['rss_mb'], 1)))
    lines.append('')
    reference = [info for info in targets
                 if info['target'].startswith('cinder-29')]
    for ref in reference:
        ours = next((label for label in OURS_FOR_REFERENCE
                     if _by(rows, target=label,
                            database=ref['database'])), None)
        if ours is None:
            continue
        lines += ['### %s against %s (%s), throughput ratio' % (
            ours, ref['target'], ref['database']), '']
        sweep = sorted({row['connections'] for row in rows})
        lines += ['| scenario | ' + ' | '.join(
            'c=%d' % c for c in sweep) + ' |',
            '| --- ' * (len(sweep) + 1) + '|']
        for scenario in _scenarios(rows):
            cells = []
            for c in sweep:
                mine = _by(rows, target=ours, database=ref['database'],
                           scenario=scenario, connections=c)
                theirs = _by(rows, target=ref['target'],
                             database=ref['database'], scenario=scenario,
                             connections=c)
                ratio = (_ratio(mine[0]['rate'], theirs[0]['rate'])
                         if mine and theirs else None)
                cells.append(_ratio_cell(ratio, scenario, c,
                                         theirs[0]['rate'] if theirs
                                         else None))
            if any(cell != '-' for cell in cells):
                lines.append('| %s | %s |' % (scenario, ' | '.join(cells)))
        lines += ['', 'Write scenarios, in brackets: the ratio of a service '
                  'at the polls\' ceiling (below) to the reference.', '']
    if any(row['scenario'] in load.WAITS for row in rows):
        lines += _ceiling_table(sorted({row['connections'] for row in rows}))
    return lines


def _ratio_cell(ratio, scenario, connections, reference_rate):
    """'5.4x', and for a write scenario '5.4x (8.6x)': the ratio a
    service reaching the polls' ceiling would have had."""
    if not ratio:
        return '-'
    cell = '%sx' % _fmt(ratio, 1)
    if scenario in load.WAITS and reference_rate:
        cap = load.poll_ceiling(scenario, connections) / reference_rate
        cell += ' (%sx)' % _fmt(cap, 1)
    return cell


def _ceiling_table(sweep):
    """Iterations per second that the clients' sleeps alone allow."""
    lines = ['### The polls\' ceiling (iterations per second)', '',
             'Each wait of an iteration sleeps one poll interval at least '
             '(`tools/bench/load.py`: %d polls a second over all clients, '
             'at most one every 10 ms per client), since an asynchronous '
             'operation is not done at the GET right after the request '
             'that started it: no such service, however fast, passes '
             'these.' % load.POLLS_PER_SECOND, '',
             '| scenario | waits | ' + ' | '.join(
                 'c=%d' % c for c in sweep) + ' |',
             '| --- ' * (len(sweep) + 2) + '|']
    for scenario, waits in load.WAITS.items():
        lines.append('| %s | %d | %s |' % (scenario, waits, ' | '.join(
            _fmt(load.poll_ceiling(scenario, c)) for c in sweep)))
    return lines + ['']


def _scenarios(rows):
    seen = []
    for row in rows:
        if row['scenario'] not in seen:
            seen.append(row['scenario'])
    return seen


def throughput_tables(rows):
    sweep = sorted({row['connections'] for row in rows})
    lines = ['## Throughput (p99 ms) by concurrency', '']
    for scenario in _scenarios(rows):
        unit = _by(rows, scenario=scenario)[0]['unit']
        lines += ['### %s (%ss per second)' % (scenario, unit), '',
                  '| target | database | ' + ' | '.join(
                      'c=%d' % c for c in sweep) + ' |',
                  '| --- ' * (len(sweep) + 2) + '|']
        keys = []
        for row in _by(rows, scenario=scenario):
            key = (row['target'], row['database'])
            if key not in keys:
                keys.append(key)
        for target, database in keys:
            cells = []
            for c in sweep:
                point = _by(rows, scenario=scenario, target=target,
                            database=database, connections=c)
                cells.append('%s (%s)%s' % (
                    _fmt(point[0]['rate'], 1 if unit != 'request' else 0),
                    _fmt(point[0]['p99']),
                    ' **%d errors**' % point[0]['errors']
                    if point[0]['errors'] else '')
                    if point else '-')
            lines.append('| %s | %s | %s |' % (target, database,
                                                ' | '.join(cells)))
        lines.append('')
    return lines


def detail_table(rows):
    lines = ['## Every point', '',
             '| target | database | scenario | connections | rate/s | '
             'p50 ms | p99 ms | errors | server CPU ms per request or '
             'iteration | busiest worker % |',
             '| --- ' * 10 + '|']
    for row in rows:
        lines.append('| %s | %s | %s | %d | %s | %s | %s | %d | %s | %s |' % (
            row['target'], row['database'], row['scenario'],
            row['connections'], _fmt(row['rate'], 1), _fmt(row['p50'], 1),
            _fmt(row['p99'], 1), row['errors'], _fmt(row['cpu_ms'], 2),
            _fmt(row['hot'])))
    return lines


def write(rows, targets, import_seconds, out, elapsed):
    os.makedirs(out, exist_ok=True)
    lines = ['# Benchmark results', '',
             'One run, %s, %d s. Throughput is requests per second for '
             'reads (wrk) and scenario iterations per second for writes '
             '(closed loops); p99 in ms.' % (
                 time.strftime('%Y-%m-%d %H:%M'), elapsed), '']
    lines += targets_section(rows, targets, import_seconds)
    lines += throughput_tables(rows)
    lines += detail_table(rows)
    text = '\n'.join(lines) + '\n'
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write(text)
    print(text)
    plot(rows, out)


def plot(rows, out):
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
    except ImportError:
        print('matplotlib is not installed: no plots')
        return
    for scenario in _scenarios(rows):
        points = _by(rows, scenario=scenario)
        figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4))
        keys = []
        for row in points:
            if (row['target'], row['database']) not in keys:
                keys.append((row['target'], row['database']))
        for target, database in keys:
            line = _by(points, target=target, database=database)
            label = target if database in ('-', 'sqlite') else '%s/%s' % (
                target, database)
            x = [row['connections'] for row in line]
            left.plot(x, [row['rate'] for row in line], marker='o',
                      label=label)
            right.plot(x, [row['p99'] for row in line], marker='o',
                       label=label)
        for axes, label in ((left, '%ss per second' % points[0]['unit']),
                            (right, 'p99 ms')):
            axes.set_xscale('log')
            axes.set_xlabel('connections')
            axes.set_ylabel(label)
            axes.grid(True, alpha=0.3)
        left.legend(fontsize='x-small')
        figure.suptitle(scenario)
        figure.tight_layout()
        figure.savefig(os.path.join(out, '%s.png' % scenario))
        pyplot.close(figure)
