import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is served by `trailhound serve` from the embedded dist/
// folder; during development `npm run dev` proxies the API to a running
// serve (TRAILHOUND_SERVER, default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Hashed file names let the server cache assets forever.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Libraries get chunks of their own, named after them: React and
        // the router load with the shell; ECharts and the world map only
        // with the pages that draw charts.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'router', test: /node_modules[\\/](react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.TRAILHOUND_SERVER ?? 'http://127.0.0.1:8080',
    },
  },
});
