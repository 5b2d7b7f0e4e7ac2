from configparser import ConfigParser
import setuptools

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['Planning', 'Pre-Alpha', 'Alpha', 'Beta', 'Production/Stable', 'Mature', 'Inactive']
lic = licenses[cfg['license']]
requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license=lic[0],
    classifiers=[
        'Development Status :: ' + str(int(cfg['status']) + 1) + ' - ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'License :: ' + lic[1],
        'Natural Language :: ' + cfg['language'].title(),
        'Programming Language :: Python :: 3',
    ],
    author=cfg['author'],
    author_email=cfg['author_email'],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['laom', 'laom.*']),
    include_package_data=True,
    package_data={'laom': ['expert_weights/*.pt', 'expert_weights/*.json']},
    install_requires=requirements + ['torch'],
    extras_require={'dev': dev_requirements},
    python_requires='>=' + cfg['min_python'],
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
