// Mantine's PostCSS preset (rem(), light-dark(), breakpoints mixins) for web/src/**/*.module.css.
export default { plugins: { 'postcss-preset-mantine': {} } };
